// The wire's names, limits and codes: what both ends must agree on before any frame.

/** Sent as the first WebSocket subprotocol; the server answers with it. */
export const PROTOCOL = "edge-chat.v1";
/** Browsers cannot set headers on a WebSocket, so the token rides in a second subprotocol. */
export const BEARER_PROTOCOL_PREFIX = "bearer.";
/** A client that holds an invite may present it in a third subprotocol, keeping it out of the URL. */
export const INVITE_PROTOCOL_PREFIX = "invite.";
/** Answered by the runtime itself, without waking the room (exact text, no JSON). */
export const PING = "ping";
export const PONG = "pong";

export const LIMITS = {
  maxFrameBytes: 16 * 1024,
  maxTextChars: 4000,
  maxMessageIdChars: 64,
  maxUserIdChars: 128,
  maxNameChars: 32,
  maxRoomIdChars: 64,
  /** Messages in the `history` frame of a fresh (non-resuming) connection. */
  recentHistory: 50,
  /** Messages in the `history` frame of a resuming connection; the rest is paged over HTTP. */
  resumeHistory: 500,
  /** Largest page of `GET /api/rooms/:room/messages`. */
  maxPage: 500,
  /** A client sends at most one `typing` notice per this many ms while its user types; the room judges floods by it. */
  typingEveryMs: 2000,
  /** Longest long-poll (`wait`) of `GET /api/rooms/:room/messages`, below common proxy timeouts. */
  maxWaitSeconds: 25,
  maxTitleChars: 64,
  /** Members listed in `welcome`, `members` and a room's snapshot: everyone online first, then those seen most recently. */
  listedMembers: 200,
  /** Invite lifetimes: default a week, at most 30 days. */
  defaultInviteSeconds: 7 * 24 * 3600,
  maxInviteSeconds: 30 * 24 * 3600,
  maxInviteUses: 10_000,
  /** Invites one member may have working at once (not revoked, not expired). */
  liveInvitesPerMember: 100,
  /** Largest page of `GET /api/rooms/:room/invites`, and its default. */
  invitesPage: 100,
  /** Longest mute or ban with a duration; either may also last until lifted. */
  maxModerationSeconds: 30 * 24 * 3600,
  /** Files one message may carry. */
  maxFilesPerMessage: 10,
  maxFileNameChars: 200,
  /** Distinct emoji on one message. */
  maxReactionsPerMessage: 20,
  /** One reaction is one emoji: one grapheme cluster of at most this many UTF-8 bytes. */
  maxEmojiBytes: 16,
  /** How much of the original a reply quotes. */
  quoteChars: 140,
  /** Members one message may @-mention. */
  maxMentions: 20,
  /** How much of a room's newest message its home entry shows. */
  homePreviewChars: 140,
  /** A search's words, all of which a message must contain, and its length. */
  maxSearchTerms: 10,
  maxSearchChars: 200,
} as const;

/** The query parameter (`?batch=1`) with which a client says it reads `batch` frames (frames.ts). */
export const BATCH_QUERY = "batch";

/** Every close code edge-chat sends; docs/protocol.md says what a client should do after each. */
export const CloseCode = {
  Normal: 1000,
  /** Nothing heard for too long: the room's sweep, or the client's own heartbeat, gave up on the connection. */
  NoHeartbeat: 4000,
  InvalidToken: 4001,
  Forbidden: 4003,
  /** Refused frames past the strike limit, a typing flood, or too many connections: reconnect only after a pause. */
  Abuse: 4008,
  /**
   * The server could not hand this connection everything in order (a fan-out shard missed a
   * batch): reconnect at once and resume from the last seq seen, as after any drop.
   */
  CatchUp: 4012,
} as const;

/** Closes after which reconnecting cannot help: the person must sign in again, or be let in. */
export function isTerminalCloseCode(code: number): boolean {
  return code === CloseCode.InvalidToken || code === CloseCode.Forbidden;
}

export type ErrorCode =
  | "bad_message"
  | "too_large"
  | "rate_limited"
  | "unknown_user"
  | "invalid_token"
  | "forbidden"
  | "not_found"
  | "invalid_invite"
  | "too_many_connections"
  | "internal";
