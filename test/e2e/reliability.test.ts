import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, LIMITS, type RoomSnapshot, type SessionResponse } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

const STALE_SECONDS = 2;
let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start({ STALE_CONNECTION_SECONDS: String(STALE_SECONDS) });
});

afterAll(() => chat.stop());

async function join(session: SessionResponse, room: string): Promise<TestSocket> {
  const socket = await TestSocket.open(chat.socketUrl(room), session.token);
  await socket.joined();
  return socket;
}

/** Pings like the browser client does, so the room knows the socket is alive. */
function keepAlive(socket: TestSocket): () => void {
  const timer = setInterval(() => socket.ws.readyState === WebSocket.OPEN && socket.send("ping"), 500);
  return () => clearInterval(timer);
}

describe("a client that vanishes without closing its connection", () => {
  it("stops counting as online within a bounded time, while a client that pings stays", async () => {
    const room = uniqueRoom("vanish");
    const [alice, ghost] = await Promise.all([chat.signIn("Alice"), chat.signIn("Ghost")]);
    const a = await join(alice, room);
    const stop = keepAlive(a);
    await join(ghost, room);
    await a.next("presence", (p) => p.joined.some((u) => u.id === ghost.user.id));
    const silentSince = Date.now();

    // The ghost sends nothing from now on, as a client whose network vanished.
    const left = await a.next("presence", (p) => p.left.some((u) => u.id === ghost.user.id), 15_000);
    const after = Date.now() - silentSince;

    expect(left.joined).toEqual([]);
    expect(after).toBeGreaterThanOrEqual(STALE_SECONDS * 1000);
    expect(after).toBeLessThan(STALE_SECONDS * 1000 * 3);
    const info = await chat.api<RoomSnapshot>(alice.token, `/api/rooms/${room}`);
    expect(info.body.members.map((m) => [m.name, m.online])).toEqual([
      ["Alice", true],
      ["Ghost", false],
    ]);
    stop();
    await a.close();
  });
});

describe("a storm of connections", () => {
  it("leaves the member list exactly right when hundreds connect and drop quickly", async () => {
    const room = uniqueRoom("storm");
    const steady = await chat.signIn("Steady");
    const s = await join(steady, room);
    const stop = keepAlive(s);
    const crowd = await Promise.all(Array.from({ length: 500 }, (_, i) => chat.signIn(`Flicker ${i}`)));

    for (let start = 0; start < crowd.length; start += 50) {
      await Promise.all(
        crowd.slice(start, start + 50).map(async (session, i) => {
          const socket = await TestSocket.open(chat.socketUrl(room), session.token);
          if (i % 2 === 0) await socket.next("welcome");
          await socket.close();
        }),
      );
    }

    await new Promise((resolve) => setTimeout(resolve, 500));
    s.send({ type: "who" });
    const { members } = await s.next("members");
    // A room this size is listed in part: Steady, the one online, first; then those seen last.
    expect(members).toHaveLength(LIMITS.listedMembers);
    expect(members.filter((m) => m.online).map((m) => m.name)).toEqual(["Steady"]);
    expect(members[0]!.name).toBe("Steady");
    expect(new Set(members.map((m) => m.id)).size).toBe(members.length);
    stop();
    await s.close();
  });
});

describe("one client flooding the room", () => {
  function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /** Times from Alice's send to Bob's receipt, one message at a time (18 in all stay under her rate limit). */
  async function latencies(a: TestSocket, b: TestSocket, label: string, count: number): Promise<number[]> {
    const samples: number[] = [];
    for (let n = 0; n < count; n++) {
      const id = `${label}-${n}`;
      const started = performance.now();
      a.send({ type: "send", id, text: `ping ${n}` });
      await b.next("message", (m) => m.id === id, 15_000);
      samples.push(performance.now() - started);
      await a.next("ack", (ack) => ack.id === id);
    }
    return samples;
  }

  /**
   * Mallory holds as many sockets as one person may (10) and floods each with `kind` frames as
   * fast as she can, opening a new socket whenever the room cuts one off.
   */
  async function flood(mallory: SessionResponse, room: string, frame: string, until: Promise<unknown>) {
    let done = false;
    void until.finally(() => (done = true));
    let cutOff = 0;
    let sent = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (!done) {
          const m = await TestSocket.open(chat.socketUrl(room), mallory.token).catch(() => undefined);
          if (!m) continue;
          // Past the first few, frames on a socket the room has closed are not even read; a
          // connection's worth is sent, then Mallory waits to be cut off and comes back.
          for (let n = 0; n < 100 && m.ws.readyState === WebSocket.OPEN; n++) m.ws.send(frame);
          sent += 100;
          if ((await Promise.race([m.closed, until.then(() => undefined)]))?.code === CloseCode.Abuse) cutOff++;
          await m.close();
        }
      }),
    );
    return { cutOff, sent };
  }

  it.each([
    ["malformed frames", "{\"type\":\"send\",\"id\":\"not valid\",\"text\":7}"],
    ["`who` requests", JSON.stringify({ type: "who" })],
  ])("of %s keeps the others' latency within a bound measured in the same test, and is cut off", async (_, frame) => {
    const room = uniqueRoom("flood");
    const [alice, bob, mallory] = await Promise.all([chat.signIn("Alice"), chat.signIn("Bob"), chat.signIn("Mallory")]);
    // A room of 200 members, so each `who` answer is as large as it gets (about 20 KB).
    const crowd = await Promise.all(Array.from({ length: 200 }, (_, i) => chat.signIn(`Member ${i}`)));
    for (const member of crowd) await chat.api(member.token, `/api/rooms/${room}/join`, { method: "POST" });
    const a = await join(alice, room);
    const b = await join(bob, room);
    const stops = [a, b].map(keepAlive);
    const baseline = median(await latencies(a, b, "calm", 9));

    const measuring = latencies(a, b, "flood", 9);
    const { cutOff, sent } = await flood(mallory, room, frame, measuring);
    const during = median(await measuring);

    const bound = baseline * 10 + 250;
    expect(during, `median latency ${during.toFixed(1)} ms during the flood, ${baseline.toFixed(1)} ms before`).toBeLessThan(bound);
    expect(cutOff, `${sent} frames sent`).toBeGreaterThan(0);
    expect(a.pending("error")).toEqual([]);
    for (const stop of stops) stop();
  });
});
