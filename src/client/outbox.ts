import type { FileInfo, OutgoingMessage } from "../protocol";

/** A message the user sent that the server has not yet acknowledged. */
export interface PendingMessage extends OutgoingMessage {
  createdAt: number;
  /** The files `files` names, as the upload answered: shown while sending and once stored. */
  attachments?: FileInfo[];
}

/** The part of the Web Storage API the outbox needs (sessionStorage in a browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Messages waiting for their ack, in the order they were written, kept in storage so they
 * survive a reload of the page. Each keeps its id, so re-sending it never stores it twice.
 */
export class Outbox {
  private readonly pending: PendingMessage[];

  constructor(
    private readonly store: KeyValueStore | undefined,
    private readonly key: string,
  ) {
    this.pending = load(store, key);
  }

  add(message: PendingMessage): void {
    this.pending.push(message);
    this.save();
  }

  /** Removes a message (acknowledged, or refused for good); returns it if it was pending. */
  take(id: string): PendingMessage | undefined {
    const index = this.pending.findIndex((m) => m.id === id);
    if (index < 0) return undefined;
    const [message] = this.pending.splice(index, 1);
    this.save();
    return message;
  }

  has(id: string): boolean {
    return this.pending.some((m) => m.id === id);
  }

  all(): readonly PendingMessage[] {
    return this.pending;
  }

  private save(): void {
    if (!this.store) return;
    try {
      if (this.pending.length === 0) this.store.removeItem(this.key);
      else this.store.setItem(this.key, JSON.stringify(this.pending));
    } catch {
      // Storage full or disabled: the outbox still works for the life of the page.
    }
  }
}

function load(store: KeyValueStore | undefined, key: string): PendingMessage[] {
  try {
    const parsed: unknown = JSON.parse(store?.getItem(key) ?? "[]");
    return Array.isArray(parsed)
      ? parsed.filter((m): m is PendingMessage => typeof m?.id === "string" && typeof m?.text === "string")
      : [];
  } catch {
    return [];
  }
}
