import type { ChatMessage } from "../../protocol";

/** At most one piece of news per watcher per this long, however busy the room (docs/home.md). */
export const HOME_NEWS_INTERVAL_MS = 1000;

/**
 * The members whose hub holds a copy of their entry for this room that is still right, and so
 * want the next change: all of them while a home page is open, once otherwise. The room tells
 * their hubs, not every member's: a message costs nothing for members whose hub already heard
 * of a change since it last asked, and a busy room sends each watcher one coalesced update per
 * HOME_NEWS_INTERVAL_MS, at most `perSecond` watchers a second.
 *
 * A hub watches by asking for the room's entry; it is dropped when it answers that nobody is
 * looking, so no hub has to remember to unsubscribe (docs/home.md).
 */
export class HomeWatchers {
  private watching: Set<string> | undefined;
  private readonly due = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly perSecond: number,
    /** Sends news of the room to these members' hubs. */
    private readonly tell: (userIds: string[]) => Promise<void>,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS home_watchers (user_id TEXT PRIMARY KEY)");
  }

  watch(userId: string): void {
    if (this.ids().has(userId)) return;
    this.sql.exec("INSERT OR IGNORE INTO home_watchers (user_id) VALUES (?)", userId);
    this.ids().add(userId);
  }

  unwatch(userId: string): void {
    if (!this.ids().delete(userId)) return;
    this.sql.exec("DELETE FROM home_watchers WHERE user_id = ?", userId);
    this.due.delete(userId);
  }

  /**
   * A message was stored, edited or deleted: the watchers who may see it get news (the sender
   * too: their room's last line changed).
   */
  stored(entry: Pick<ChatMessage, "to" | "from">): void {
    const ids = this.ids();
    if (ids.size === 0) return;
    if (entry.to === undefined) for (const id of ids) this.due.add(id);
    else for (const id of [entry.to, entry.from.id]) if (ids.has(id)) this.due.add(id);
    this.schedule();
  }

  /** Messages were pruned: every watcher's counts and last line may have changed. */
  allChanged(): void {
    for (const id of this.ids()) this.due.add(id);
    this.schedule();
  }

  /** Something about one member's view of the room changed (they joined). */
  changedFor(userId: string): void {
    if (!this.ids().has(userId)) return;
    this.due.add(userId);
    this.schedule();
  }

  /**
   * A change the member made themselves (their read position): their hub hears at once, not
   * with the next round, so their own next load of the home shows it.
   */
  async changedNow(userId: string): Promise<void> {
    if (!this.ids().has(userId)) return;
    this.due.delete(userId);
    await this.tell([userId]);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.due.size === 0) return;
    // A short timer, and only while there is news: it holds off hibernation for at most a second.
    const wait = Math.max(0, this.lastSent + HOME_NEWS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => void this.send(), wait);
  }

  private async send(): Promise<void> {
    // More due than one second's share wait for the next: a crowd of copies falling stale at once is spread out.
    const ids = [...this.due].slice(0, this.perSecond);
    for (const id of ids) this.due.delete(id);
    this.lastSent = Date.now();
    try {
      await this.tell(ids);
    } finally {
      this.timer = undefined;
      this.schedule();
    }
  }

  private ids(): Set<string> {
    this.watching ??= new Set(this.sql.exec<{ user_id: string }>("SELECT user_id FROM home_watchers").toArray().map((row) => row.user_id));
    return this.watching;
  }
}
