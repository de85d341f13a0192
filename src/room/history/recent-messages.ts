import type { ChatMessage, UpdateFrame } from "../../protocol";
import { visibleTo, type LogEntry } from "./log-entries";

/** Some of a room's history, as the log reads it. */
export interface Page {
  messages: ChatMessage[];
  /** Read after a seq: the changes in the same range, in seq order. */
  updates: UpdateFrame[];
  /** Whether messages beyond this page exist in the direction it was read. */
  more: boolean;
  /** Part of what was asked is no longer kept (MessagesPage), and where what is kept begins. */
  pruned?: true;
  oldestSeq?: number;
}

/**
 * The room's newest messages, in memory, so that a client coming back is answered without
 * reading its history from SQLite again: when a deploy closes every socket, every client of a
 * room resumes at once, and each resume read up to 500 rows, about half a millisecond of the
 * room's time per resume here (docs/performance.md). SQLite stays the truth: the window starts
 * empty after every wake-up, is filled from storage on the first resume, then follows each
 * stored message. It is bounded in messages and in characters, so a room of long messages
 * cannot fill the isolate's memory.
 */
export class RecentMessages {
  private readonly messages: LogEntry[] = [];
  private chars = 0;
  /** Every stored message with a seq above this is in the window; undefined until it is filled. */
  private coversAfter: number | undefined;

  constructor(
    readonly capacity: number,
    private readonly maxChars: number,
  ) {}

  get filled(): boolean {
    return this.coversAfter !== undefined;
  }

  /**
   * Starts the window from the newest stored messages, oldest first: one more than it holds
   * when the room has that many, so that the one it lets go marks where storage must answer.
   */
  fill(oldestFirst: LogEntry[]): void {
    this.messages.length = 0;
    this.chars = 0;
    this.coversAfter = 0;
    for (const message of oldestFirst) this.add(message);
  }

  /** Takes an entry that was just stored; it is the newest. Before the first fill there is nothing to keep current. */
  add(entry: LogEntry): void {
    if (this.coversAfter === undefined) return;
    this.messages.push(entry);
    this.chars += textLength(entry);
    while (this.messages.length > this.capacity || this.chars > this.maxChars) {
      const dropped = this.messages.shift()!;
      this.chars -= textLength(dropped);
      this.coversAfter = dropped.seq;
    }
  }

  /**
   * Forgets everything: a message in the window was changed (edited, deleted, reacted to), and
   * the window holds messages as they were. The next resume fills it again from storage.
   */
  invalidate(): void {
    this.messages.length = 0;
    this.chars = 0;
    this.coversAfter = undefined;
  }

  /**
   * The oldest `limit` messages after `after` that the viewer may see, as the log would read
   * them; undefined when some of them may be older than the window.
   */
  after(viewer: string, after: number, limit: number): Page | undefined {
    if (this.coversAfter === undefined || after < this.coversAfter) return undefined;
    const messages: ChatMessage[] = [];
    const updates: UpdateFrame[] = [];
    for (const entry of this.messages) {
      if (entry.seq <= after || !visibleTo(entry, viewer)) continue;
      if (messages.length + updates.length === limit) return { messages, updates, more: true };
      if (entry.type === "message") messages.push(entry);
      else updates.push(entry);
    }
    return { messages, updates, more: false };
  }
}


function textLength(entry: LogEntry): number {
  return "text" in entry ? entry.text.length : 0;
}
