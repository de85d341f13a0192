import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HomeFeed } from "../../src/client/home-feed";
import type { HomeFrame, HomeRoom } from "../../src/protocol";

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  sent: string[] = [];
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {}
  receive(frame: HomeFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

function room(id: string, lastTs?: number, unread = 0): HomeRoom {
  const entry: HomeRoom = { id, visibility: "public", role: "member", seq: 1, lastReadSeq: 0, unread, mentions: 0 };
  if (lastTs !== undefined) entry.last = { from: { id: "g_ada", name: "Ada" }, text: `in ${id}`, ts: lastTs };
  return entry;
}

let token = "token-1";
let lists: string[][];
let feed: HomeFeed;

beforeEach(async () => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  lists = [];
  feed = new HomeFeed({
    baseUrl: "https://chat.test",
    token: () => token,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    fetch: (() => Promise.resolve(new Response(JSON.stringify({ rooms: [room("from-http", 5)] })))) as typeof fetch,
    random: () => 1,
  });
  feed.on("rooms", (rooms) => lists.push(rooms.map((r) => r.id)));
  await vi.advanceTimersByTimeAsync(0);
});

afterEach(() => {
  feed.close();
  vi.useRealTimers();
});

describe("the home feed", () => {
  it("keeps rooms in order of their newest message, as room frames move them", () => {
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe("wss://chat.test/api/me/ws");
    expect(socket.protocols).toEqual(["edge-chat.v1", "bearer.token-1"]);
    socket.receive({ type: "rooms", rooms: [room("b", 20), room("a", 10), room("quiet")] });
    socket.receive({ type: "room", room: room("a", 30, 1) });
    socket.receive({ type: "room_left", id: "b" });
    expect(lists).toEqual([
      ["b", "a", "quiet"],
      ["a", "b", "quiet"],
      ["a", "quiet"],
    ]);
  });

  it("reads the list over HTTP while the socket is down, and reconnects with the newest token", async () => {
    FakeSocket.all[0]!.onclose?.({ code: 1006, reason: "" });
    await vi.advanceTimersByTimeAsync(0);
    expect(lists.at(-1)).toEqual(["from-http"]);
    token = "token-2";
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[1]!.protocols).toEqual(["edge-chat.v1", "bearer.token-2"]);
  });

  it("stops and says so when the token is refused", () => {
    const signedOut = vi.fn();
    feed.on("signed-out", signedOut);
    FakeSocket.all[0]!.onclose?.({ code: 4001, reason: "token has expired" });
    expect(signedOut).toHaveBeenCalledWith("token has expired");
  });
});
