import type { ErrorCode } from "./constants";

// The frames of a room's WebSocket, both ways, and the people and rooms they name.

export interface UserRef {
  id: string;
  name: string;
}

/** Who may do what in a room: owners appoint moderators; both delete any message, mute and ban. */
export type Role = "owner" | "moderator" | "member";

export interface Member extends UserRef {
  online: boolean;
  /** Present for an owner or a moderator. */
  role?: "owner" | "moderator";
  /** When the member was last connected (ms since epoch); for online members, when they connected. */
  lastSeen: number;
}

export type Visibility = "public" | "private";

export interface RoomInfo {
  id: string;
  visibility: Visibility;
  /** A name people gave the room when creating it; rooms made by joining have none. */
  title?: string;
  /** The user who created the room; rooms made by joining have none. */
  owner?: string;
  /** A one-to-one conversation: exactly two members, no invites, no removal (`POST /api/dm`). */
  direct?: true;
}

// ---- Server to client -------------------------------------------------------------------

export interface ChatMessage {
  type: "message";
  /** Per room, strictly increasing. */
  seq: number;
  /** The id the sender chose for it; with `from.id` it identifies a message across retransmits. */
  id: string;
  from: UserRef;
  text: string;
  ts: number;
  /** Present on a direct message: the recipient's user id. */
  to?: string;
  /** The members the sender @-mentioned; counted on their homes. */
  mentions?: string[];
  /** The message this one answers, as it reads now. */
  replyTo?: Quote;
  /** When the author last edited it; `text` is then the edited text. */
  editedAt?: number;
  /** Deleted: a tombstone whose text is gone from storage (`text` is empty, nothing else is kept). */
  deleted?: true;
  /** Each emoji's count, and whether the reader is among those who gave it. */
  reactions?: Record<string, ReactionCount>;
  /** Files attached (`GET /api/rooms/:room/files/:id`). */
  files?: FileInfo[];
}

/** An uploaded file: its type is what its bytes are, not what the uploader claimed. */
export interface FileInfo {
  id: string;
  name: string;
  size: number;
  type: string;
  width?: number;
  height?: number;
}

/** The start of a message a reply answers: its author and first LIMITS.quoteChars characters, or that it was deleted. */
export interface Quote {
  seq: number;
  from: UserRef;
  text: string;
  deleted?: true;
}

export interface ReactionCount {
  count: number;
  mine: boolean;
}

/**
 * A change to an earlier message (`target`), an event in the log with a seq of its own. It
 * carries the new values, not increments, so applying the events in seq order to any earlier
 * state of the target ends with its current state (see src/client/conversation.ts).
 */
export type UpdateFrame = {
  type: "update";
  seq: number;
  /** The id the changer chose, as for a message. */
  id: string;
  from: UserRef;
  ts: number;
  target: number;
  /** On a change to a direct message: the other of its two people, as on the message. */
  to?: string;
} & (
  | { kind: "edit"; text: string; editedAt: number }
  | { kind: "delete" }
  | { kind: "react"; emoji: string; on: boolean; count: number }
);

export interface WelcomeFrame {
  type: "welcome";
  room: RoomInfo;
  you: UserRef;
  /** The newest seq in the room when this connection opened. */
  seq: number;
  /** Everyone online, then the members seen most recently, at most LIMITS.listedMembers. */
  members: Member[];
  /** How many people are online in the whole room, wherever their connections are held; the list above may show fewer. */
  online?: number;
  /** Your role here when it is more than a member's. */
  role?: "owner" | "moderator";
  /** Present while you are muted: until when (ms), or null until a moderator unmutes you. */
  mutedUntil?: number | null;
}

/** You were muted (until when, ms; null: until unmuted), or unmuted (`muted: false`). */
export interface MutedFrame {
  type: "muted";
  muted: boolean;
  until?: number | null;
}

export interface HistoryFrame {
  type: "history";
  messages: ChatMessage[];
  /** On a resume: the changes since `after` to messages, in seq order (the messages themselves come as they read now). */
  updates?: UpdateFrame[];
  /** True when there is more than this frame holds: older messages (fresh connection) or newer ones to page over HTTP (resume). */
  more: boolean;
  /**
   * Part of what was asked is no longer kept (HISTORY_LIMIT, HISTORY_RETENTION_DAYS): on a
   * resume, some of what came after `after`, and what follows starts later; on a fresh
   * connection whose history reaches the oldest message kept, older ones were deleted.
   */
  pruned?: true;
  /** With `pruned`: where what the room keeps begins. */
  oldestSeq?: number;
}

export interface AckFrame {
  type: "ack";
  id: string;
  seq: number;
  ts: number;
  /** On the ack of a change (edit, delete, react): the event as the others got it; absent when it changed nothing. */
  update?: UpdateFrame;
}

export interface PresenceFrame {
  type: "presence";
  joined: UserRef[];
  left: UserRef[];
}

export interface TypingNotice {
  type: "typing";
  user: UserRef;
}

export interface MembersFrame {
  type: "members";
  members: Member[];
  /** How many people are online in the whole room (the list may show fewer). */
  online?: number;
}

export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** With `rate_limited`: when the next message will be accepted. */
  retryAfterMs?: number;
  /** With an error about one `send`: that message's id, so the client can mark it failed. */
  id?: string;
}

/** The connection took the fresh token of an `auth` frame; it now lasts until `expiresAt`. */
export interface AuthAcceptedFrame {
  type: "auth";
  expiresAt: number;
}

/**
 * Several frames that would have gone one after another, in one: sent only to connections that
 * asked with `?batch=1`. A busy room's frames for one socket then cost one send instead of one
 * each (docs/performance.md, "When everyone talks"). Clients handle the frames in order, as if
 * they had come separately.
 */
export interface BatchFrame {
  type: "batch";
  frames: ServerFrame[];
}

export type ServerFrame =
  | WelcomeFrame
  | AuthAcceptedFrame
  | HistoryFrame
  | ChatMessage
  | UpdateFrame
  | MutedFrame
  | AckFrame
  | PresenceFrame
  | TypingNotice
  | MembersFrame
  | ErrorFrame;

// ---- Client to server -------------------------------------------------------------------

/** What a message is made of, over WebSocket (`send`) and HTTP (`POST .../messages`). */
export interface OutgoingMessage {
  id: string;
  text: string;
  to?: string;
  /** Members @-mentioned, at most LIMITS.maxMentions, each a member of the room. */
  mentions?: string[];
  /** The seq of a message this one answers; one the sender may see. */
  replyTo?: number;
  /** Ids of files the sender uploaded to this room and has not attached yet; the text may then be empty. */
  files?: string[];
}

export interface SendFrame extends OutgoingMessage {
  type: "send";
}

/** The user has seen everything up to `seq`; a read position only moves forward. */
export interface ReadFrame {
  type: "read";
  seq: number;
}

/** A fresh session token for this connection, before the one it opened with expires. */
export interface AuthFrame {
  type: "auth";
  token: string;
}

/** Changes to a message, each with an id of the changer's for dedupe, as `send`. */
export interface EditFrame {
  type: "edit";
  id: string;
  target: number;
  text: string;
}

export interface DeleteFrame {
  type: "delete";
  id: string;
  target: number;
}

export interface ReactFrame {
  type: "react";
  id: string;
  target: number;
  emoji: string;
  on: boolean;
}

export type ChangeFrame = EditFrame | DeleteFrame | ReactFrame;

export type ClientFrame = SendFrame | ChangeFrame | ReadFrame | AuthFrame | { type: "typing" } | { type: "who" };
