import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatClient, type ChatClientOptions, type ConnectionStatus } from "../../src/client/chat-client";
import type { PageEnvironment } from "../../src/client/page-environment";
import { CloseCode, type ChatMessage, type Member, type RoomSnapshot, type ServerFrame, type UserRef, type WelcomeFrame } from "../../src/protocol";
import { MemoryStore } from "../support/memory-store";

/** A WebSocket double the test drives by hand: open it, feed it frames, drop it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  sent: string[] = [];
  closedWith: { code?: number; reason?: string } | undefined;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }

  static latest(): FakeSocket {
    return FakeSocket.all.at(-1)!;
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  open(): void {
    this.onopen?.({});
  }

  receive(frame: ServerFrame | string): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  drop(code = 1006, reason = ""): void {
    this.onclose?.({ code, reason });
  }

  sentFrames(): Record<string, unknown>[] {
    return this.sent.filter((s) => s !== "ping").map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  /** Opens and completes the handshake the way the room does: welcome, then history. */
  accept(history: ChatMessage[] = [], more = false, seq = history.at(-1)?.seq ?? 0): void {
    this.open();
    this.receive({ type: "welcome", room: { id: "lobby", visibility: "public" }, you: ALICE, seq, members: [] });
    this.receive({ type: "history", messages: history, more });
  }
}

class FakePage implements PageEnvironment {
  online = true;
  hidden = false;
  private listener: ((change: "online" | "offline" | "visible") => void) | undefined;
  isOnline = () => this.online;
  isHidden = () => this.hidden;
  subscribe(listener: (change: "online" | "offline" | "visible") => void) {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  fire(change: "online" | "offline" | "visible") {
    this.listener?.(change);
  }
}

const ALICE: UserRef = { id: "g_alice", name: "Alice" };
const BOB: UserRef = { id: "g_bob", name: "Bob" };
const TOKEN = `x.${btoa(JSON.stringify({ sub: ALICE.id, name: ALICE.name }))}.y`;

function message(seq: number, from: UserRef = BOB, id = `m${seq}`): ChatMessage {
  return { type: "message", seq, id, from, text: `message ${seq}`, ts: 1000 + seq };
}

type Route = (url: URL, init: RequestInit) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

let page: FakePage;
let storage: MemoryStore;
let requests: { method: string; url: URL; body?: unknown; authorization?: string }[];
let route: Route;
const clients: ChatClient[] = [];

function fakeFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input));
  const authorization = (init.headers as Record<string, string> | undefined)?.Authorization;
  requests.push({ method: init.method ?? "GET", url, body: init.body ? JSON.parse(String(init.body)) : undefined, authorization });
  return new Promise((resolve, reject) => {
    init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    Promise.resolve()
      .then(() => route(url, init))
      .then(({ status, body }) => resolve(new Response(JSON.stringify(body), { status })), reject);
  });
}

async function newClient(options: Partial<ChatClientOptions> = {}) {
  const client = new ChatClient({
    baseUrl: "https://chat.test",
    room: "lobby",
    token: TOKEN,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    fetch: fakeFetch as typeof fetch,
    storage,
    environment: page,
    random: () => 1,
    ...options,
  });
  clients.push(client);
  const seen = {
    messages: [] as ChatMessage[],
    statuses: [] as ConnectionStatus[],
    failed: [] as string[],
    pending: [] as string[],
    welcomes: [] as WelcomeFrame[],
    members: [] as Member[][],
    muted: [] as { muted: boolean; until?: number | null }[],
  };
  client.on("message", (m) => seen.messages.push(m));
  client.on("welcome", (w) => seen.welcomes.push(w));
  client.on("members", (m) => seen.members.push(m));
  client.on("muted", (m) => seen.muted.push(m));
  client.on("status", (s) => seen.statuses.push(s));
  client.on("failed", (f) => seen.failed.push(f.id));
  client.on("pending", (p) => seen.pending.push(p.id));
  await vi.advanceTimersByTimeAsync(0);
  return { client, seen };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  page = new FakePage();
  storage = new MemoryStore();
  requests = [];
  route = () => ({ status: 500, body: { error: { code: "internal", message: "no route in this test" } } });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  vi.useRealTimers();
});

describe("reconnecting", () => {
  it("backs off exponentially with full jitter, from 0.5 s up to 30 s", async () => {
    const random = vi.fn(() => 0.5);
    const { seen } = await newClient({ random });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 9; attempt++) {
      FakeSocket.latest().open();
      FakeSocket.latest().drop();
      const status = seen.statuses.at(-1)!;
      expect(status.state).toBe("reconnecting");
      const delay = (status as { retryAt: number }).retryAt - Date.now();
      delays.push(delay);
      await vi.advanceTimersByTimeAsync(delay);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(FakeSocket.all).toHaveLength(10);
  });

  it("starts the backoff over once a connection has stayed up", async () => {
    await newClient();
    for (let i = 0; i < 4; i++) {
      FakeSocket.latest().drop();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    FakeSocket.latest().accept();
    await vi.advanceTimersByTimeAsync(15_000);
    FakeSocket.latest().drop();
    const before = FakeSocket.all.length;
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all.length).toBe(before + 1);
  });

  it("reconnects at once when the browser comes back online", async () => {
    const { seen } = await newClient();
    for (let i = 0; i < 6; i++) {
      FakeSocket.latest().open();
      FakeSocket.latest().drop();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    page.online = false;
    FakeSocket.latest().open();
    FakeSocket.latest().drop();
    expect(seen.statuses.at(-1)).toEqual({ state: "offline" });
    const before = FakeSocket.all.length;

    page.online = true;
    page.fire("online");

    expect(FakeSocket.all.length).toBe(before + 1);
  });

  it.each([
    [4001, "signed-out"],
    [4003, "forbidden"],
  ])("never reconnects after close code %i", async (code, state) => {
    const { seen } = await newClient();
    FakeSocket.latest().accept();
    FakeSocket.latest().drop(code, "nope");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(seen.statuses.at(-1)).toMatchObject({ state });
  });

  it("offers the token in the subprotocol list and resumes after the last message seen", async () => {
    await newClient();
    expect(FakeSocket.latest().protocols).toEqual(["edge-chat.v1", `bearer.${TOKEN}`]);
    expect(new URL(FakeSocket.latest().url).searchParams.has("after")).toBe(false);
    FakeSocket.latest().accept([message(1), message(2)]);
    FakeSocket.latest().receive(message(3));
    FakeSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(new URL(FakeSocket.latest().url).searchParams.get("after")).toBe("3");
  });
});

describe("the heartbeat", () => {
  it("pings every 25 s and treats 10 s of silence as a dead connection", async () => {
    const { seen } = await newClient();
    const first = FakeSocket.latest();
    first.accept();

    await vi.advanceTimersByTimeAsync(25_000);
    expect(first.sent).toContain("ping");
    first.receive("pong");
    await vi.advanceTimersByTimeAsync(25_000 + 9_000);
    expect(seen.statuses.at(-1)).toMatchObject({ state: "online" });

    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.closedWith?.code).toBe(4000);
    expect(seen.statuses.at(-1)).toMatchObject({ state: "reconnecting" });
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("does not give up on a late pong in a hidden tab, and checks again when the tab is shown", async () => {
    await newClient();
    const socket = FakeSocket.latest();
    socket.accept();
    page.hidden = true;

    await vi.advanceTimersByTimeAsync(25_000 + 60_000);
    expect(socket.closedWith).toBeUndefined();

    page.hidden = false;
    page.fire("visible");
    const pings = socket.sent.filter((s) => s === "ping").length;
    socket.receive("pong");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.closedWith).toBeUndefined();
    expect(pings).toBeGreaterThan(0);

    page.fire("visible");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(socket.closedWith?.code).toBe(4000);
  });
});

describe("resuming", () => {
  it("never shows a message twice, whether it comes again in history or live", async () => {
    const { seen } = await newClient();
    FakeSocket.latest().accept([message(1), message(2)]);
    FakeSocket.latest().receive(message(2));
    FakeSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.latest().accept([message(2), message(3)]);
    FakeSocket.latest().receive(message(3));
    expect(seen.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("tells a first history that begins where the room's memory does apart from a resume that lost a span", async () => {
    const { client } = await newClient();
    const told: string[] = [];
    client.on("pruned", () => told.push("pruned"));
    client.on("gap", ({ after }) => told.push(`gap after ${after}`));
    const socket = FakeSocket.latest();
    socket.open();
    socket.receive({ type: "welcome", room: { id: "lobby", visibility: "public" }, you: ALICE, seq: 8, members: [] });
    socket.receive({ type: "history", messages: [message(7), message(8)], more: false, pruned: true, oldestSeq: 7 });
    expect(told).toEqual(["pruned"]);

    socket.drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.latest().open();
    FakeSocket.latest().receive({ type: "welcome", room: { id: "lobby", visibility: "public" }, you: ALICE, seq: 20, members: [] });
    FakeSocket.latest().receive({ type: "history", messages: [message(19), message(20)], more: false, pruned: true, oldestSeq: 19 });
    expect(told).toEqual(["pruned", "gap after 8"]);
  });

  it("pages in a long absence over HTTP before showing live messages, in order", async () => {
    route = (url) => {
      const after = Number(url.searchParams.get("after"));
      const seqs = after === 2 ? [3, 4] : after === 4 ? [5] : [];
      return { status: 200, body: { messages: seqs.map((s) => message(s)), more: after === 2, seq: 6 } };
    };
    const { seen } = await newClient();
    FakeSocket.latest().accept([message(1), message(2)], true, 6);
    FakeSocket.latest().receive(message(6));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("the outbox", () => {
  it("shows a message as sending until its ack, then as stored", async () => {
    const { client, seen } = await newClient();
    FakeSocket.latest().accept();
    const id = client.send("hello", { to: BOB.id });
    expect(seen.pending).toEqual([id]);
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "send", id, text: "hello", to: BOB.id }]);

    FakeSocket.latest().receive({ type: "ack", id, seq: 7, ts: 99 });

    expect(seen.messages).toEqual([{ type: "message", seq: 7, id, from: ALICE, text: "hello", ts: 99, to: BOB.id }]);
    expect(storage.data.size).toBe(0);
  });

  it("re-sends unacknowledged messages with the same id after a reconnect", async () => {
    const { client } = await newClient();
    FakeSocket.latest().accept();
    const id = client.send("are you there?");
    FakeSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.latest().accept();
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "send", id, text: "are you there?" }]);
  });

  it("keeps a message written while disconnected and sends it on connect", async () => {
    const { client } = await newClient();
    const id = client.send("written offline");
    expect(FakeSocket.latest().sent).toEqual([]);
    FakeSocket.latest().accept();
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "send", id, text: "written offline" }]);
  });

  it("survives a reload of the page and is re-sent by the next page", async () => {
    const first = await newClient();
    FakeSocket.latest().accept();
    const id = first.client.send("before reload");
    first.client.close();

    const second = await newClient();
    expect(second.seen.pending).toEqual([id]);
    FakeSocket.latest().accept();
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "send", id, text: "before reload" }]);
  });

  it("counts a message found in history as delivered when its ack was lost", async () => {
    const { client, seen } = await newClient();
    FakeSocket.latest().accept();
    const id = client.send("ack lost");
    FakeSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.latest().accept([{ ...message(1, ALICE, id), text: "ack lost" }]);
    expect(FakeSocket.latest().sentFrames()).toEqual([]);
    expect(seen.messages.map((m) => m.id)).toEqual([id]);
  });

  it("marks a message failed only when the server refuses it, and retries a rate-limited one", async () => {
    const { client, seen } = await newClient();
    FakeSocket.latest().accept();
    const refused = client.send("x".repeat(10));
    const limited = client.send("slow down");
    FakeSocket.latest().receive({ type: "error", code: "too_large", message: "too long", id: refused });
    FakeSocket.latest().receive({ type: "error", code: "rate_limited", message: "wait", id: limited, retryAfterMs: 3000 });
    expect(seen.failed).toEqual([refused]);

    FakeSocket.latest().sent = [];
    await vi.advanceTimersByTimeAsync(3000);
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "send", id: limited, text: "slow down" }]);
  });
});

describe("falling back to HTTP", () => {
  function httpRoom(messages: ChatMessage[] = []) {
    route = (url, init) => {
      if (url.pathname === "/api/rooms/lobby" || url.pathname === "/api/rooms/lobby/join") {
        return { status: 200, body: { room: { id: "lobby", visibility: "public" }, seq: messages.length, members: [] } };
      }
      if (init.method === "POST") {
        const body = JSON.parse(String(init.body)) as { id: string };
        return { status: 201, body: { id: body.id, seq: 99, ts: 5 } };
      }
      const after = Number(url.searchParams.get("after") ?? 0);
      const fresh = messages.filter((m) => m.seq > after);
      // A long-poll with nothing new hangs until the test moves on.
      if (fresh.length === 0 && url.searchParams.has("wait")) return new Promise(() => {});
      return { status: 200, body: { messages: fresh, more: false, seq: messages.length } };
    };
  }

  it("long-polls and posts where WebSocket does not exist", async () => {
    httpRoom([message(1)]);
    const { client, seen } = await newClient({ WebSocket: undefined });
    await vi.advanceTimersByTimeAsync(0);

    expect(seen.statuses.at(-1)).toEqual({ state: "online", transport: "http" });
    expect(seen.messages.map((m) => m.seq)).toEqual([1]);
    const poll = requests.find((r) => r.url.searchParams.get("wait") === "25");
    expect(poll?.url.searchParams.get("after")).toBe("1");

    const id = client.send("over http");
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.find((r) => r.method === "POST" && r.url.pathname.endsWith("/messages"))?.body).toEqual({ id, text: "over http" });
    expect(seen.messages.at(-1)).toMatchObject({ id, seq: 99 });
  });

  it("switches to HTTP when upgrades keep failing but HTTP works, and back when WebSocket works again", async () => {
    httpRoom();
    const { seen } = await newClient({ webSocketRetryMs: 30_000 });
    for (let i = 0; i < 3; i++) {
      FakeSocket.latest().drop();
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(seen.statuses.at(-1)).toEqual({ state: "online", transport: "http" });
    const sockets = FakeSocket.all.length;

    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeSocket.all.length).toBe(sockets + 1);
    FakeSocket.latest().accept();
    expect(seen.statuses.at(-1)).toEqual({ state: "online", transport: "websocket" });
  });

  it("notices a room that was reset while polling, and reads it again from its beginning", async () => {
    let messages = [message(1), message(2), message(3)];
    let dropPoll: (() => void) | undefined;
    route = (url) => {
      if (url.pathname === "/api/rooms/lobby/join") {
        return { status: 200, body: { room: { id: "lobby", visibility: "public" }, seq: messages.length, members: [] } };
      }
      const after = Number(url.searchParams.get("after") ?? 0);
      const fresh = messages.filter((m) => m.seq > after);
      if (fresh.length === 0 && url.searchParams.has("wait")) return new Promise((_, reject) => (dropPoll = () => reject(new TypeError("reset"))));
      return { status: 200, body: { messages: fresh, more: false, seq: messages.length } };
    };
    const { seen } = await newClient({ WebSocket: undefined });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);

    messages = [message(1, BOB, "after-reset")];
    dropPoll?.();
    await vi.advanceTimersByTimeAsync(2_000);

    expect(seen.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3", "after-reset"]);
  });

  it("hands up the HTTP answers as a socket's frames: the join's welcome, each poll's messages, members, and a mute once changed", async () => {
    const moderator: Member = { ...ALICE, online: true, lastSeen: 1, role: "moderator" };
    let mutedUntil: number | null | undefined;
    let answerPoll: (() => void) | undefined;
    route = (url) => {
      if (url.pathname === "/api/rooms/lobby" || url.pathname === "/api/rooms/lobby/join") {
        const greeting: RoomSnapshot = { room: { id: "lobby", visibility: "public" }, you: ALICE, seq: 0, members: [moderator], online: 1, role: "moderator" };
        return { status: 200, body: mutedUntil === undefined ? greeting : { ...greeting, mutedUntil } };
      }
      if (url.searchParams.has("wait")) {
        return new Promise((resolve) => (answerPoll = () => resolve({ status: 200, body: { messages: [message(1)], more: false, seq: 1 } })));
      }
      return { status: 200, body: { messages: [], more: false, seq: 0 } };
    };
    const { seen } = await newClient({ WebSocket: undefined });
    expect(seen.welcomes).toEqual([
      { type: "welcome", room: { id: "lobby", visibility: "public" }, you: ALICE, seq: 0, members: [moderator], online: 1, role: "moderator" },
    ]);

    mutedUntil = null;
    answerPoll!();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.messages.map((m) => m.seq)).toEqual([1]);
    expect(seen.members).toEqual([[moderator]]);
    expect(seen.muted).toEqual([{ muted: true, until: null }]);

    answerPoll!();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.members).toHaveLength(2);
    expect(seen.muted).toHaveLength(1);
  });

  it("keeps trying WebSocket when the network itself is down", async () => {
    route = () => Promise.reject(new TypeError("network down"));
    const { seen } = await newClient();
    for (let i = 0; i < 5; i++) {
      FakeSocket.latest().drop();
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(seen.statuses.some((s) => s.state === "online")).toBe(false);
    expect(FakeSocket.all.length).toBeGreaterThanOrEqual(5);
  });
});

describe("an invite", () => {
  const snapshot = { room: { id: "lobby", visibility: "private" }, seq: 0, members: [] };

  it("is redeemed with POST /join before the first socket, and never rides in a URL", async () => {
    route = (url) => (url.pathname.endsWith("/join") ? { status: 200, body: snapshot } : { status: 404, body: {} });
    await newClient({ invite: "invite-token" });

    expect(requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([["POST", "/api/rooms/lobby/join", { invite: "invite-token" }]]);
    const socket = FakeSocket.latest();
    expect(socket.url).not.toContain("invite");
    expect(socket.protocols.join(" ")).not.toContain("invite-token");
    socket.accept();
    socket.drop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(requests.filter((r) => r.url.pathname.endsWith("/join"))).toHaveLength(1);
    for (const opened of FakeSocket.all) expect(opened.url).not.toContain("invite");
  });

  it("that is refused stops the client with the server's reason, opening no socket", async () => {
    route = () => ({ status: 403, body: { error: { code: "invalid_invite", message: "this invite was revoked; ask for a new one" } } });
    const { seen } = await newClient({ invite: "revoked" });
    expect(seen.statuses.at(-1)).toEqual({ state: "forbidden", message: "this invite was revoked; ask for a new one" });
    expect(FakeSocket.all).toHaveLength(0);
  });

  it("is tried again with backoff while the network is down", async () => {
    let up = false;
    route = () => (up ? { status: 200, body: snapshot } : Promise.reject(new TypeError("network down")));
    const { seen } = await newClient({ invite: "invite-token" });
    expect(seen.statuses.at(-1)?.state).toBe("reconnecting");
    expect(FakeSocket.all).toHaveLength(0);
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe("a connection the room closed for abuse", () => {
  it("comes back only after a real pause, not at once", async () => {
    const { seen } = await newClient();
    FakeSocket.latest().accept();
    FakeSocket.latest().drop(CloseCode.Abuse, "too many refused frames after being told why");

    const status = seen.statuses.at(-1) as { state: string; retryAt: number };
    expect(status.state).toBe("reconnecting");
    expect(status.retryAt - Date.now()).toBeGreaterThanOrEqual(30_000);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("while a signed-out or forbidden close stops it for good", async () => {
    for (const [code, state] of [[CloseCode.InvalidToken, "signed-out"], [CloseCode.Forbidden, "forbidden"]] as const) {
      FakeSocket.all = [];
      const { seen } = await newClient();
      FakeSocket.latest().accept();
      FakeSocket.latest().drop(code, "no");
      expect(seen.statuses.at(-1)?.state).toBe(state);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(FakeSocket.all).toHaveLength(1);
    }
  });
});

describe("a renewed session", () => {
  it("is asked for before every reconnection, so no socket opens with a stale token", async () => {
    let current = TOKEN;
    const getToken = vi.fn(() => current);
    await newClient({ getToken });
    expect(getToken).toHaveBeenCalledTimes(1);
    FakeSocket.latest().accept();

    current = `${TOKEN}-renewed`;
    FakeSocket.latest().drop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeSocket.latest().protocols).toEqual(["edge-chat.v1", `bearer.${TOKEN}-renewed`]);
  });

  it("goes to the open connection in-band, and to the HTTP calls after it", async () => {
    route = () => ({ status: 200, body: { messages: [], more: false, seq: 0 } });
    const { client } = await newClient();
    FakeSocket.latest().accept();
    client.useToken("fresh-token");
    expect(FakeSocket.latest().sentFrames()).toEqual([{ type: "auth", token: "fresh-token" }]);
    await client.loadOlder(10);
    expect(requests.at(-1)).toMatchObject({ url: new URL("https://chat.test/api/rooms/lobby/messages?before=10&limit=50"), authorization: "Bearer fresh-token" });
  });
});
