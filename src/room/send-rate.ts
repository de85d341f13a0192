import type { MessageLog } from "./message-log";

/**
 * The per-user message rate limit. Each user's recent send times are kept in memory, loaded
 * from the stored messages the first time the user sends after the room wakes, so the limit
 * holds across hibernation while the message path itself needs no query.
 */
export class SendRate {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly log: MessageLog,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** How long until this user may send again, or 0 if now. */
  retryAfter(userId: string, now: number): number {
    const times = this.times(userId, now);
    return times.length < this.max ? 0 : Math.max(1, times[0]! + this.windowMs - now);
  }

  /** Counts a message that was just stored. */
  record(userId: string, now: number): void {
    const times = this.times(userId, now);
    times.push(now);
    if (times.length > this.max) times.shift();
  }

  private times(userId: string, now: number): number[] {
    let times = this.recent.get(userId);
    if (!times) {
      times = this.log.sendTimes(userId, now - this.windowMs, this.max);
      this.recent.set(userId, times);
    }
    // Kept even when empty: reloading would count a message stored since as well.
    while (times.length > 0 && times[0]! <= now - this.windowMs) times.shift();
    return times;
  }
}
