import {
  BEARER_PROTOCOL_PREFIX,
  INVITE_PROTOCOL_PREFIX,
  parseServerFrame,
  parseServerFrames,
  PONG,
  PROTOCOL,
  type ClientFrame,
  type ServerFrame,
} from "../../src/protocol";

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/**
 * A chat client for tests: a real WebSocket whose incoming frames queue up in an inbox, from
 * which `next` takes the first frame of a type (optionally matching a predicate).
 */
export class TestSocket {
  private readonly inbox: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  pongs = 0;
  /** How many `batch` frames arrived (their frames go to the inbox one by one). */
  batches = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const data = String(event.data);
      if (data === PONG) this.pongs++;
      else if (data.startsWith('{"type":"batch"')) {
        this.batches++;
        const frames = parseServerFrames(data);
        if (frames.length !== (JSON.parse(data) as { frames: unknown[] }).frames.length) throw new Error(`server sent a batch with frames the protocol does not know: ${data.slice(0, 200)}`);
        this.inbox.push(...frames);
      } else {
        const frame = parseServerFrame(data);
        if (!frame) throw new Error(`server sent a frame the protocol does not know: ${data.slice(0, 200)}`);
        this.inbox.push(frame);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.wake();
      });
    });
  }

  /** Opens a socket with the token (and an invite, if given) in the subprotocol list, never in the URL. */
  static open(url: string, token: string, invite?: string): Promise<TestSocket> {
    const protocols = [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`];
    if (invite) protocols.push(`${INVITE_PROTOCOL_PREFIX}${invite}`);
    return TestSocket.openWith(new WebSocket(url, protocols));
  }

  /** Wraps the client end of an upgrade answered inside the Workers runtime (`SELF.fetch`). */
  static accept(ws: WebSocket): TestSocket {
    const socket = new TestSocket(ws);
    (ws as WebSocket & { accept(): void }).accept();
    return socket;
  }

  static openWith(ws: WebSocket): Promise<TestSocket> {
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(socket), { once: true });
      ws.addEventListener("error", () => reject(new Error("WebSocket failed to open")), { once: true });
    });
  }

  /** Every accepted connection starts with the room's welcome, then the history; reads both. */
  async joined(): Promise<{ welcome: FrameOf<"welcome">; history: FrameOf<"history"> }> {
    const welcome = await this.next("welcome");
    return { welcome, history: await this.next("history") };
  }

  send(frame: ClientFrame | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  async next<T extends ServerFrame["type"]>(
    type: T,
    matches: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((f) => f.type === type && matches(f as FrameOf<T>));
      if (index >= 0) return this.inbox.splice(index, 1)[0] as FrameOf<T>;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no "${type}" frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`);
      }
      await this.changed(left);
    }
  }

  /** Frames of this type that arrived and were not taken by `next`. */
  pending<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.inbox.filter((f) => f.type === type) as FrameOf<T>[];
  }

  /** Waits `ms` and returns what arrived of this type meanwhile, for "nothing happened" checks. */
  async quietFor<T extends ServerFrame["type"]>(type: T, ms: number): Promise<FrameOf<T>[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.pending(type);
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000, "done");
    await this.closed;
  }

  private changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
