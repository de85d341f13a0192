import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
import type { SessionResponse } from "../../src/protocol";

export const E2E_JWT_SECRET = "e2e-secret-that-is-long-enough-for-hs256-0123456789";

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;

const LIFTED_LIMITS = { GUEST_SIGNINS_PER_IP: "1000000", NEW_MEMBER_MESSAGES: "1000000" };

/**
 * The real Worker from wrangler.toml under local workerd, on 127.0.0.1 and a free port, with
 * its state in a temporary directory so it survives `restart()` as it would a deploy.
 */
export class LocalChat {
  private worker?: Worker;
  private port = 0;
  readonly persistDir = mkdtempSync(join(tmpdir(), "edge-chat-e2e-"));

  private constructor(private readonly vars: Record<string, string>) {}

  /**
   * Starts the Worker with `vars` over the defaults. Tests sign in hundreds of guests from one
   * address and have fresh members talk at once, so those two limits are lifted unless a test
   * sets them; the tests of the limits themselves do.
   */
  static async start(vars: Record<string, string> = {}): Promise<LocalChat> {
    const chat = new LocalChat({ JWT_SECRET: E2E_JWT_SECRET, ...LIFTED_LIMITS, ...vars });
    await chat.boot();
    return chat;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  socketUrl(room: string, query = ""): string {
    return `ws://127.0.0.1:${this.port}/api/rooms/${room}/ws${query}`;
  }

  /** Stops the server, closing every socket, and starts it again on the same port and state. */
  async restart(): Promise<void> {
    await this.worker?.dispose();
    await this.boot();
  }

  async stop(): Promise<void> {
    await this.worker?.dispose();
    this.worker = undefined;
    rmSync(this.persistDir, { recursive: true, force: true });
  }

  async signIn(name: string): Promise<SessionResponse> {
    const response = await fetch(`${this.base}/api/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as SessionResponse;
  }

  /** An authenticated API call; returns status and parsed body. */
  async api<T = unknown>(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.base}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private async boot(): Promise<void> {
    process.env.WRANGLER_SEND_METRICS = "false";
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
    const bindings = Object.fromEntries(
      Object.entries(this.vars).map(([name, value]) => [name, { type: "plain_text" as const, value }]),
    );
    this.worker = await unstable_startWorker({
      config: "wrangler.toml",
      bindings,
      dev: {
        server: { hostname: "127.0.0.1", port: this.port },
        inspector: false,
        persist: this.persistDir,
        logLevel: "none",
        watch: false,
      },
    } as Parameters<typeof unstable_startWorker>[0]);
    await this.worker.ready;
    this.port = Number((await this.worker.url).port);
  }
}

let counter = 0;
/** A room name no other test uses, so tests in one file do not see each other's messages. */
export function uniqueRoom(label: string): string {
  return `${label}-${process.pid}-${++counter}`;
}
