import type { ChatMessage } from "../protocol";

/** Some of a room's history, as the log reads it. */
export interface Page {
  messages: ChatMessage[];
  /** Whether messages beyond this page exist in the direction it was read. */
  more: boolean;
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
  private readonly messages: ChatMessage[] = [];
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
  fill(oldestFirst: ChatMessage[]): void {
    this.messages.length = 0;
    this.chars = 0;
    this.coversAfter = 0;
    for (const message of oldestFirst) this.add(message);
  }

  /** Takes a message that was just stored; it is the newest. Before the first fill there is nothing to keep current. */
  add(message: ChatMessage): void {
    if (this.coversAfter === undefined) return;
    this.messages.push(message);
    this.chars += message.text.length;
    while (this.messages.length > this.capacity || this.chars > this.maxChars) {
      const dropped = this.messages.shift()!;
      this.chars -= dropped.text.length;
      this.coversAfter = dropped.seq;
    }
  }

  /**
   * The oldest `limit` messages after `after` that the viewer may see, as the log would read
   * them; undefined when some of them may be older than the window.
   */
  after(viewer: string, after: number, limit: number): Page | undefined {
    if (this.coversAfter === undefined || after < this.coversAfter) return undefined;
    const messages: ChatMessage[] = [];
    for (const message of this.messages) {
      if (message.seq <= after || !visibleTo(message, viewer)) continue;
      if (messages.length === limit) return { messages, more: true };
      messages.push(message);
    }
    return { messages, more: false };
  }
}

/** The same rule as the log's query: every public message, and the direct messages one sent or received. */
function visibleTo(message: ChatMessage, viewer: string): boolean {
  return message.to === undefined || message.to === viewer || message.from.id === viewer;
}
