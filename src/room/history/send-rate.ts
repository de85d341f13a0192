
/** Past this many senders in memory, those with nothing in the window are dropped on the next check. */
const PRUNE_ABOVE = 1000;

/** Where a sender's recent send times are read from after a wake-up: the log (message-log.ts). */
export interface SendHistory {
  sendTimes(senderId: string, since: number, max: number): number[];
}

export interface SendLimits {
  /** Messages per window for one user. */
  messages: number;
  windowMs: number;
  /** Members younger than `ageMs` share one budget of `messages` per window, all of them together, each taking at most `each`. */
  newcomers: { ageMs: number; messages: number; each: number };
}

/**
 * The message rate limits: per user, and one shared by the room's newcomers. Each user's
 * recent send times are kept in memory, loaded from the stored messages the first time the user
 * sends after the room wakes, so the per-user limit holds across hibernation while the message
 * path itself needs no query. The newcomers' budget is what keeps a crowd of fresh guests, each
 * within their own limit, from flushing a room's history; it lives in memory only, as a flood
 * never lets the room hibernate.
 */
export class SendRate {
  private readonly recent = new Map<string, number[]>();
  private readonly newcomerTimes: number[] = [];
  private readonly joined = new Map<string, number>();

  constructor(
    private readonly log: SendHistory,
    private readonly limits: SendLimits,
    /** When the user joined the room (ms), if they are a member. */
    private readonly joinedAt: (userId: string) => number | undefined,
    /** Owners and moderators are trusted from their first moment: never newcomers, in a room they just made either. Asked for every message a young member sends, so it must not read storage. */
    private readonly trusted: (userId: string) => boolean,
  ) {}

  /** How long until this user may send again, or 0 if now; with why, for the refusal. */
  retryAfter(userId: string, now: number): { waitMs: number; newcomer: boolean } {
    if (this.recent.size > PRUNE_ABOVE) this.prune(userId, now);
    const { messages, windowMs, newcomers } = this.limits;
    const times = this.times(userId, now);
    const own = times.length < messages ? 0 : Math.max(1, times[0]! + windowMs - now);
    if (own > 0 || !this.isNewcomer(userId, now)) return { waitMs: own, newcomer: false };
    // A newcomer's own sends in the window all came from the shared budget: past their share,
    // they wait for their own oldest to leave it, whatever is left for the others.
    if (times.length >= newcomers.each) return { waitMs: Math.max(1, times[times.length - newcomers.each]! + windowMs - now), newcomer: true };
    dropBefore(this.newcomerTimes, now - windowMs);
    if (this.newcomerTimes.length < newcomers.messages) return { waitMs: 0, newcomer: true };
    return { waitMs: Math.max(1, this.newcomerTimes[0]! + windowMs - now), newcomer: true };
  }

  /** Counts a message that was just stored (always right after `retryAfter` for the same user). */
  record(userId: string, now: number): void {
    const times = this.times(userId, now);
    times.push(now);
    if (times.length > this.limits.messages) times.shift();
    if (this.isNewcomer(userId, now)) this.newcomerTimes.push(now);
  }

  private isNewcomer(userId: string, now: number): boolean {
    let joined = this.joined.get(userId);
    if (joined === undefined) {
      joined = this.joinedAt(userId) ?? now;
      this.joined.set(userId, joined);
    }
    return now - joined < this.limits.newcomers.ageMs && !this.trusted(userId);
  }

  private times(userId: string, now: number): number[] {
    let times = this.recent.get(userId);
    if (!times) {
      times = this.log.sendTimes(userId, now - this.limits.windowMs, this.limits.messages);
      this.recent.set(userId, times);
    }
    // Kept even when empty: reloading in `record` would count the message just stored twice.
    dropBefore(times, now - this.limits.windowMs);
    return times;
  }

  /**
   * Forgets senders with nothing in the window, so a room that many pass through holds no map
   * of everyone who ever wrote. Safe here and only here: a dropped sender's next access is a
   * `retryAfter`, which reloads from the log before anything new is stored.
   */
  private prune(current: string, now: number): void {
    for (const [userId, times] of this.recent) {
      if (userId === current) continue;
      if ((times.at(-1) ?? 0) <= now - this.limits.windowMs) {
        this.recent.delete(userId);
        this.joined.delete(userId);
      }
    }
  }
}

function dropBefore(times: number[], cutoff: number): void {
  while (times.length > 0 && times[0]! <= cutoff) times.shift();
}
