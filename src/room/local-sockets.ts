import type { FrameSink } from "./held-frames";

/**
 * The sockets the room object holds itself, in a Map rebuilt from the runtime's list once per
 * wake-up and kept as they open and close. Asking the runtime on every message
 * (`getWebSockets()`) builds a fresh array of every socket each time; Cloudflare's
 * workers-chat-demo keeps a Map instead, and with it beat a relay that asks (issue 19,
 * docs/performance.md has what it gained here).
 *
 * Each socket keeps the seq its welcome was at. A message is held until it is durable and only
 * then sent; a socket that opened meanwhile already has it in its history, so `after(seq)`
 * leaves it out when the held frame goes, as a list taken when the message was stored did.
 */
export class LocalSockets {
  private map?: Map<WebSocket, number>;

  constructor(private readonly list: () => WebSocket[]) {}

  /** A socket accepted now, whose history runs through `since`. */
  add(ws: WebSocket, since: number): void {
    this.load().set(ws, since);
  }

  remove(ws: WebSocket): void {
    this.load().delete(ws);
  }

  /** Every socket, for frames about now (presence, typing). */
  all(): Iterable<WebSocket> {
    return this.load().keys();
  }

  /** The sockets a stored entry with this seq is new to, read when the held frame is sent. */
  after(seq: number): Iterable<FrameSink> {
    const sockets = this.load();
    return {
      *[Symbol.iterator]() {
        for (const [ws, since] of sockets) if (since < seq) yield ws;
      },
    };
  }

  private load(): Map<WebSocket, number> {
    if (!this.map) {
      // Sockets from before a wake-up were welcomed before anything stored since.
      this.map = new Map(this.list().map((ws) => [ws, -1]));
    }
    return this.map;
  }
}
