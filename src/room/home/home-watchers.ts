import type { ChatMessage } from "../../protocol";

/** At most one piece of news per watcher per this long, however busy the room (docs/home.md). */
export const HOME_NEWS_INTERVAL_MS = 1000;

/**
 * The members whose home page is open somewhere, and so want this room's news. The room tells
 * their hubs, not every member's: a message costs nothing for members who are not looking,
 * and a busy room sends each watcher one coalesced update per HOME_NEWS_INTERVAL_MS.
 *
 * A hub asks to watch when a home socket opens (by reading the room's summary); it is dropped
 * when it answers that nobody is looking any more, so no hub has to remember to unsubscribe.
 */
export class HomeWatchers {
  private watching: Set<string> | undefined;
  private readonly due = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = 0;

  constructor(
    private readonly sql: SqlStorage,
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

  /** A message was stored: the watchers who may see it get news (the sender too: their room's last line changed). */
  stored(message: ChatMessage): void {
    const ids = this.ids();
    if (ids.size === 0) return;
    if (message.to === undefined) for (const id of ids) this.due.add(id);
    else for (const id of [message.to, message.from.id]) if (ids.has(id)) this.due.add(id);
    this.schedule();
  }

  /** Something about one member's view of the room changed (their read position). */
  changedFor(userId: string): void {
    if (!this.ids().has(userId)) return;
    this.due.add(userId);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.due.size === 0) return;
    // A short timer, and only while there is news: it holds off hibernation for at most a second.
    const wait = Math.max(0, this.lastSent + HOME_NEWS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => void this.send(), wait);
  }

  private async send(): Promise<void> {
    const ids = [...this.due];
    this.due.clear();
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
