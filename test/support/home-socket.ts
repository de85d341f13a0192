import { parseHomeFrame, PONG, type HomeFrame } from "../../src/protocol";

type FrameOf<T extends HomeFrame["type"]> = Extract<HomeFrame, { type: T }>;

/** A home page's socket for tests: frames queue up, `next` takes the first of a type that matches. */
export class HomeSocket {
  private readonly inbox: HomeFrame[] = [];
  private waiters: (() => void)[] = [];
  pongs = 0;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })));
    ws.addEventListener("message", (event) => {
      const data = String(event.data);
      if (data === PONG) this.pongs++;
      else {
        const frame = parseHomeFrame(data);
        if (!frame) throw new Error(`hub sent a frame the protocol does not know: ${data.slice(0, 200)}`);
        this.inbox.push(frame);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async next<T extends HomeFrame["type"]>(type: T, matches: (frame: FrameOf<T>) => boolean = () => true, timeoutMs = 5000): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((f) => f.type === type && matches(f as FrameOf<T>));
      if (index >= 0) return this.inbox.splice(index, 1)[0] as FrameOf<T>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}
