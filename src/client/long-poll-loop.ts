import { LIMITS, type RoomSnapshot, type ServerFrame, type UserRef } from "../protocol";
import type { ChatApi } from "./api";

export interface LongPollTarget {
  api: ChatApi;
  room: string;
  /** Who the token says the user is, for a server whose answers do not say. */
  you: UserRef;
  /** The last seq the reader has; each poll asks for what came after it. */
  cursor: () => number;
  waitSeconds: number;
}

/**
 * The HTTP fallback, speaking frames: what the API answers becomes the frames a socket would
 * have brought, so the reader above handles one protocol. The join answer is the `welcome`, the
 * first page the `history`, each poll's messages and changes the live frames, and the room's
 * description the `members` (and a `muted` when the user's mute changed since last heard).
 */
export class LongPollLoop {
  /** The mute last reported; a socket hears of a change once, so the poll reports one once too. */
  private mutedUntil: number | null | undefined;

  constructor(
    private readonly target: LongPollTarget,
    private readonly emit: (frame: ServerFrame) => void,
  ) {}

  /**
   * Joins, reads the latest page if nothing was read yet, says `online`, then holds a long-poll
   * open after the cursor until `signal` aborts. It returns when aborted and throws the first
   * failure, leaving the choice of retry or giving up to the connection.
   */
  async run(signal: AbortSignal, online: () => void): Promise<void> {
    const { api, room, waitSeconds } = this.target;
    const greeting = await api.join(room);
    if (signal.aborted) return;
    this.mutedUntil = greeting.mutedUntil;
    this.emit({ type: "welcome", ...greeting, you: greeting.you ?? this.target.you });
    // Read after the welcome: a welcome from a room that was reset sets the cursor back.
    if (this.target.cursor() === 0) {
      const { messages, more } = await api.messages(room, { signal });
      this.emit({ type: "history", messages, more });
    }
    online();
    while (!signal.aborted) {
      const page = await api.messages(room, { after: this.target.cursor(), limit: LIMITS.maxPage, wait: waitSeconds, signal });
      // As a socket's resume would say it: what follows starts past a span no longer kept.
      if (page.pruned) this.emit({ type: "history", messages: [], more: false, pruned: true });
      // One after another in seq order, as a socket delivers them live.
      for (const entry of [...page.messages, ...(page.updates ?? [])].sort((a, b) => a.seq - b.seq)) this.emit(entry);
      if (!signal.aborted) void this.refreshMembers();
    }
  }

  /** Asks the room who is here; a failure is shown again by the next poll. */
  async refreshMembers(): Promise<void> {
    let described: RoomSnapshot;
    try {
      described = await this.target.api.room(this.target.room);
    } catch {
      return;
    }
    const { members, online, mutedUntil } = described;
    this.emit(online === undefined ? { type: "members", members } : { type: "members", members, online });
    if (mutedUntil === this.mutedUntil) return;
    this.mutedUntil = mutedUntil;
    this.emit(mutedUntil === undefined ? { type: "muted", muted: false } : { type: "muted", muted: true, until: mutedUntil });
  }
}
