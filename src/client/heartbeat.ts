/**
 * The client's own liveness check: a half-open connection (a laptop lid closed, a NAT that
 * forgot us) raises no event, so we ping and expect some frame back in time. Browsers throttle
 * timers in background tabs, so a late answer there proves nothing: a hidden page never
 * declares the connection dead, and checks again the moment it becomes visible.
 */
export class Heartbeat {
  private interval: ReturnType<typeof setInterval> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private callbacks: { ping: () => void; onDead: () => void } | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly isHidden: () => boolean,
  ) {}

  start(ping: () => void, onDead: () => void): void {
    this.stop();
    this.callbacks = { ping, onDead };
    this.interval = setInterval(() => this.probeNow(), this.intervalMs);
  }

  /** Any frame from the server proves the connection alive. */
  alive(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /**
   * Pings now and expects an answer in time; also used when the page becomes visible again.
   * A deadline already running is kept: pinging again must not postpone the verdict.
   */
  probeNow(): void {
    if (!this.callbacks) return;
    const { ping, onDead } = this.callbacks;
    ping();
    if (this.deadline !== undefined) return;
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (!this.isHidden()) onDead();
    }, this.timeoutMs);
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.deadline);
    this.interval = this.deadline = this.callbacks = undefined;
  }
}
