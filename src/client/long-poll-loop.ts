import { LIMITS, type ChatMessage, type Member, type UpdateFrame, type UserRef, type WelcomeFrame } from "../protocol";
import type { ChatApi } from "./api";

export interface LongPollTarget {
  api: ChatApi;
  room: string;
  you: UserRef;
  /** The last seq the reader has; each poll asks for what came after it. */
  cursor: () => number;
  waitSeconds: number;
  signal: AbortSignal;
}

export interface LongPollHandlers {
  /** The join answer, shaped as the `welcome` a socket would have sent. */
  welcome(frame: WelcomeFrame): void;
  /** A page: its messages, and the changes among them (see Conversation). */
  messages(messages: ChatMessage[], updates: UpdateFrame[]): void;
  /** Joined and caught up: what the user sends can go out now. */
  online(): void;
  members(members: Member[]): void;
}

/**
 * The HTTP fallback's loop: join, read the latest page if nothing was read yet, then hold a
 * long-poll open after the cursor until `signal` aborts. It returns when aborted and throws
 * the first failure, leaving the choice of retry or giving up to the connection.
 */
export async function longPollRoom(target: LongPollTarget, on: LongPollHandlers): Promise<void> {
  const { api, room, you, signal } = target;
  const snapshot = await api.join(room);
  if (signal.aborted) return;
  on.welcome({ type: "welcome", room: snapshot.room, you, seq: snapshot.seq, members: snapshot.members });
  if (target.cursor() === 0) on.messages((await api.messages(room, { signal })).messages, []);
  on.online();
  while (!signal.aborted) {
    const page = await api.messages(room, { after: target.cursor(), limit: LIMITS.maxPage, wait: target.waitSeconds, signal });
    on.messages(page.messages, page.updates ?? []);
    if (!signal.aborted) void refreshMembers(api, room, on);
  }
}

/** Sends the room's member list to `on.members`; a failure is shown again by the next poll. */
export async function refreshMembers(api: ChatApi, room: string, on: Pick<LongPollHandlers, "members">): Promise<void> {
  try {
    on.members((await api.room(room)).members);
  } catch {
    // The next successful poll refreshes the list.
  }
}
