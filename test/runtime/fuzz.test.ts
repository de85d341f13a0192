import { describe, expect, it } from "vitest";
import { CloseCode, type MessagesPage } from "../../src/protocol";
import { MAX_STRIKES } from "../../src/room/connections/abuse-policy";
import { api, connect, newRoom, newUser } from "./helpers";

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_JSON: unknown[] = [null, true, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, "‮evil", "👩‍👩‍👧‍👦", [], [[[]]], { type: "send" }];

/** For each field of a send, values that are wrong for that field in particular. */
const WRONG: Record<"type" | "id" | "text" | "to", unknown[]> = {
  type: [null, true, 0, "", "SEND", "send ", [], {}, "\u0000"],
  id: [null, 0, 1e308, "", " ", "a b", "\u0000", "é", "x".repeat(65), [], {}],
  text: [null, 0, -0, "", " \n\t", "\u0000", "\ud800", "\udfff", "bell\u0007", "x".repeat(4001), [], {}],
  to: [null, 0, "", "x".repeat(129), [], { id: "g_bob" }],
};

/** Frames that no version of the protocol accepts, built to be wrong in every way we could think of. */
function hostileFrame(next: () => number): string | ArrayBuffer {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const valid = { type: "send", id: "fuzz", text: "hello" };
  switch (Math.floor(next() * 10)) {
    case 0: {
      // random UTF-16, lone surrogates and controls included
      const length = Math.floor(next() * 200);
      return String.fromCharCode(...Array.from({ length }, () => Math.floor(next() * 0x10000)));
    }
    case 1: {
      const text = JSON.stringify(valid);
      return text.slice(0, Math.floor(next() * (text.length - 1)));
    }
    case 2: {
      const depth = 1 + Math.floor(next() * 5000);
      return `${"[".repeat(depth)}${"]".repeat(depth)}`;
    }
    case 3: {
      const field = pick(["type", "id", "text", "to"] as const);
      return JSON.stringify({ ...valid, [field]: pick(WRONG[field]) });
    }
    case 4:
      return JSON.stringify({ type: pick(["send", "typing", "who"]).toUpperCase(), id: "x", text: "y" });
    case 5:
      return JSON.stringify({ ...valid, text: "z".repeat(4001 + Math.floor(next() * 100)) });
    case 6:
      return JSON.stringify({ ...valid, id: `${"q".repeat(60)}${pick([" ", "\n", "é", "\u0000"])}` });
    case 7:
      return new Uint8Array(Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256))).buffer;
    case 8:
      return JSON.stringify(pick(ODD_JSON));
    default:
      return JSON.stringify({ ...valid, to: pick(["", "x".repeat(200), 42, ["g_bob"], "g_nobody_here"]) });
  }
}

describe("a client sending thousands of hostile frames", () => {
  it("gets an error for each until it is cut off, disturbs no one, and stores nothing but the valid messages", async () => {
    const next = random(20261124);
    const room = newRoom("fuzz");
    const [mallory, alice, bob] = [await newUser("Mallory"), await newUser("Alice"), await newUser("Bob")];
    const a = await connect(room, alice);
    const b = await connect(room, bob);

    // Every connection of Mallory's is told why for each refused frame, then closed with 4008
    // once it has struck out; she comes back each time, so every frame is still judged.
    let connections = 0;
    async function strikeOut(frames: (string | ArrayBuffer)[]): Promise<void> {
      const m = await connect(room, mallory);
      connections++;
      for (const frame of frames) m.ws.send(frame);
      expect((await m.closed).code).toBe(CloseCode.Abuse);
      expect(m.pending("error")).toHaveLength(MAX_STRIKES);
    }

    const expected: string[] = [];
    // Megabyte strings first: just under the runtime's 1 MiB frame limit.
    const huge = [1_000_000, 1_040_000].map((size) => JSON.stringify({ type: "send", id: "huge", text: "m".repeat(size) }));
    await strikeOut([...huge, ...Array.from({ length: MAX_STRIKES - 2 }, () => hostileFrame(next))]);
    for (let round = 0; round < 10; round++) {
      for (let n = 0; n < 300; n += MAX_STRIKES) await strikeOut(Array.from({ length: MAX_STRIKES }, () => hostileFrame(next)));
      const m = await connect(room, mallory);
      const id = `valid-${round}`;
      m.send({ type: "send", id, text: `a real message amid the noise (${round}) 👋` });
      a.send({ type: "send", id: `a${round}`, text: `alice ${round}` });
      b.send({ type: "send", id: `b${round}`, text: `bob ${round}` });
      expected.push(id, `a${round}`, `b${round}`);
      await m.next("ack", (ack) => ack.id === id, 20_000);
      await a.next("ack", (ack) => ack.id === `a${round}`);
      await b.next("ack", (ack) => ack.id === `b${round}`);
      await m.close();
    }

    expect(connections).toBe(1 + 10 * Math.ceil(300 / MAX_STRIKES));
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    expect(a.pending("error")).toEqual([]);
    expect(b.pending("error")).toEqual([]);
    const bobSaw = b.pending("message").map((message) => message.id);
    expect(bobSaw.filter((id) => id.startsWith("a"))).toEqual(expected.filter((id) => id.startsWith("a")));

    const page = (await (await api(alice, `/api/rooms/${room}/messages?limit=500`)).json()) as MessagesPage;
    expect(page.messages.map((message) => message.id).sort()).toEqual([...expected].sort());
    expect(page.messages.map((message) => message.seq)).toEqual(page.messages.map((_, i) => i + 1));
  }, 60_000);
});
