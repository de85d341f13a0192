/**
 * Long-polls waiting for the next message they may see, capped per user and per room. One
 * token once held thousands of concurrent polls in a room; every message then woke them all,
 * and each re-read the history, so everyone else's messages came seconds late. Now a poll past
 * a cap is refused at once (429), and a message wakes only the polls of people who may see it.
 * The last `reserved` places take only a person's first poll: a few people holding all they
 * may cannot fill the room, and someone new to the fallback still finds a place.
 */
export class LongPolls {
  private readonly byUser = new Map<string, Set<() => void>>();
  private count = 0;

  constructor(
    private readonly perUser: number,
    private readonly perRoom: number,
    private readonly reserved = 0,
  ) {}

  /**
   * Waits until woken for this user or until the timeout; undefined, at once, when the user or
   * the room already has as many polls waiting as allowed.
   */
  wait(userId: string, timeoutMs: number): Promise<void> | undefined {
    const mine = this.byUser.get(userId) ?? new Set<() => void>();
    const room = mine.size === 0 ? this.perRoom : this.perRoom - this.reserved;
    if (mine.size >= this.perUser || this.count >= room) return undefined;
    this.byUser.set(userId, mine);
    this.count++;
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        mine.delete(wake);
        if (mine.size === 0 && this.byUser.get(userId) === mine) this.byUser.delete(userId);
        this.count--;
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      mine.add(wake);
    });
  }

  /** Wakes the polls of these users, or of everyone. */
  wake(userIds: readonly string[] | "everyone"): void {
    // Called for every stored message: with nobody waiting, as in almost every room, it costs nothing.
    if (this.count === 0) return;
    const sets = userIds === "everyone" ? [...this.byUser.values()] : userIds.map((id) => this.byUser.get(id));
    for (const set of sets) for (const wake of [...(set ?? [])]) wake();
  }

  get waiting(): number {
    return this.count;
  }
}
