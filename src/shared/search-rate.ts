/**
 * How often one person may search: at most `perMinute` searches in any minute, kept by the
 * room searched and, for a search of all their rooms, by their hub. A search reads an index and
 * the log, much more than a message costs, so one person asking in a loop must not take an
 * object's thread from everyone else.
 */
export class SearchRate {
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly perMinute: number) {}

  /** Counts a search now; 0 if it may go ahead, else how many ms until it may. */
  take(userId: string, now: number): number {
    const since = now - 60_000;
    const times = (this.recent.get(userId) ?? []).filter((t) => t > since);
    if (times.length >= this.perMinute) return times[0]! + 60_000 - now;
    times.push(now);
    this.recent.set(userId, times);
    // Forget people who have not searched for a minute, so the map stays as small as the searchers.
    if (this.recent.size > 1000) for (const [id, seen] of this.recent) if (seen.at(-1)! <= since) this.recent.delete(id);
    return 0;
  }
}
