import { applyChange, CHANGE_KINDS, quoteOf, type ChatMessage, type UpdateFrame } from "../protocol";

/**
 * A room's messages as one reader sees them, built from `message` frames and `update` events
 * applied in seq order. Updates carry new values, not increments, so a reader that resumes
 * from any seq (getting the messages after it as they read now, and every update since) ends
 * with exactly the list of one that never left. Pure: the page, the client and the tests use it.
 */
export class Conversation {
  private readonly bySeq = new Map<number, ChatMessage>();

  constructor(private readonly you: string) {}

  /** A message as it reads now; it replaces what was known of it. */
  message(message: ChatMessage): void {
    this.bySeq.set(message.seq, message);
  }

  /** Applies a change; returns the messages it changed (the target, and replies quoting it). */
  update(update: UpdateFrame): ChatMessage[] {
    const target = this.bySeq.get(update.target);
    if (!target) return [];
    const changed = [applyChange(target, update, this.you)];
    this.bySeq.set(update.target, changed[0]!);
    if (!CHANGE_KINDS[update.kind].changesQuote) return changed;
    const quote = quoteOf(changed[0]!);
    for (const message of this.bySeq.values()) {
      if (message.replyTo?.seq !== update.target) continue;
      const requoted = { ...message, replyTo: quote };
      this.bySeq.set(message.seq, requoted);
      changed.push(requoted);
    }
    return changed;
  }

  /** A page or history frame: its messages and changes, applied in seq order. */
  page(messages: ChatMessage[], updates: UpdateFrame[] = []): void {
    for (const entry of inSeqOrder(messages, updates)) {
      if (entry.type === "message") this.message(entry);
      else this.update(entry);
    }
  }

  get(seq: number): ChatMessage | undefined {
    return this.bySeq.get(seq);
  }

  /** Every message known, oldest first. */
  list(): ChatMessage[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** A page's messages and changes as one list in seq order, the order they must be applied in. */
export function inSeqOrder(messages: ChatMessage[], updates: UpdateFrame[] = []): (ChatMessage | UpdateFrame)[] {
  if (updates.length === 0) return messages;
  return [...messages, ...updates].sort((a, b) => a.seq - b.seq);
}
