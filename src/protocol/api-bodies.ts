import type { ErrorCode } from "./constants";
import type { ChatMessage, Member, Role, RoomInfo, UpdateFrame, UserRef, Visibility } from "./frames";

// The bodies of the HTTP API (docs/protocol.md, "HTTP API").

/** Codes an HTTP error may carry beyond the frame error codes. */
export type ApiErrorCode = ErrorCode | "not_found" | "upgrade_required" | "guests_disabled" | "server_misconfigured";

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; retryAfterMs?: number };
}

/** `POST /api/session` */
export interface SessionResponse {
  token: string;
  user: UserRef;
  expiresAt: number;
}

/** `GET /api/rooms/:room` and `POST /api/rooms/:room/join`: what a socket's `welcome` says, without its `type`. */
export interface RoomSnapshot {
  room: RoomInfo;
  seq: number;
  members: Member[];
  /** Who asked, as the room knows them. */
  you?: UserRef;
  /** How many people are online in the whole room; `members` may list fewer. */
  online?: number;
  /** Your role here when it is more than a member's. */
  role?: "owner" | "moderator";
  /** Present while you are muted: until when (ms), or null until a moderator unmutes you. */
  mutedUntil?: number | null;
}

/**
 * How every paged listing ends (page-query.ts has their bounds): whether there is more in the
 * direction it was read, and then the cursor to ask the next page from, passed back as the
 * query value the page was read by (`before`, or `after` for messages read forward).
 */
export interface Paging {
  more: boolean;
  next?: number;
}

/** `GET /api/rooms/:room/messages`; `next` is the last seq of a page read with `after`, else the first. */
export interface MessagesPage extends Paging {
  messages: ChatMessage[];
  /** With `after`: the changes to messages in the same range of seqs, in order (see UpdateFrame). */
  updates?: UpdateFrame[];
  /** The newest seq in the room. */
  seq: number;
  /**
   * Part of what was asked is no longer kept (HISTORY_LIMIT, HISTORY_RETENTION_DAYS): with
   * `after`, some of what came after it, and this page starts later; read back, this page
   * reaches the oldest message kept, and older ones were deleted.
   */
  pruned?: true;
  /** With `pruned`: where what the room keeps begins. */
  oldestSeq?: number;
}

/** `POST /api/rooms/:room/messages`, and the answer to a change (edit, delete, reaction) over HTTP */
export interface PostedMessage {
  id: string;
  seq: number;
  ts: number;
  /** For a change: the event stored, as the room's sockets got it; absent when it changed nothing. */
  update?: UpdateFrame;
}

/** `POST /api/rooms` */
export interface CreateRoomRequest {
  title?: string;
  visibility: Visibility;
}

export interface CreatedRoom {
  room: RoomInfo;
  /** A first invite link, for a private room. */
  invite?: CreatedInvite;
}

/** `POST /api/rooms/:room/invites` with optional `{"expiresIn": seconds, "maxUses": n}` */
export interface CreatedInvite {
  id: string;
  /** `<origin>/r/<room>#invite=<token>`: the token rides in the fragment, never sent to a server by a browser. */
  url: string;
  expiresAt: number;
}

/** `GET /api/rooms/:room/invites?limit=&before=` (owner only): newest first. */
export interface InvitesPage extends Paging {
  invites: InviteSummary[];
}

export interface InviteSummary {
  id: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  maxUses: number | null;
  uses: number;
  revoked: boolean;
  /** The one person this invite admits; the owner's invite for a removed member lets them back in. */
  forUser?: string;
}

/** `PUT /api/rooms/:room/members/:id` */
export interface RoleRequest {
  role: "moderator" | "member";
}

/** `POST .../members/:id/mute` and `.../ban`: for how long; absent for "until lifted". */
export interface ForRequest {
  seconds?: number;
}

/** `GET /api/rooms/:room/search?q=`: the messages that match, newest first; `next` is the oldest seq of the page. */
export interface SearchPage extends Paging {
  results: SearchResult[];
}

/** A message found by a search, as it reads now (an edited one by its new text). */
export interface SearchResult {
  seq: number;
  ts: number;
  from: UserRef;
  text: string;
  /** Set on a direct message: found only by its two people. */
  to?: string;
}

/** `GET /api/me/search?q=`: the newest matches across the person's rooms, merged by time. */
export interface MySearchPage {
  results: (SearchResult & { room: { id: string; title?: string } })[];
  /** More matches exist than were given. */
  more: boolean;
  /** Some rooms were not searched (the time budget ran out, or they did not answer): how many. */
  unsearched?: number;
}

/** `GET /api/rooms/:room/moderation?limit=&before=` (owners and moderators): newest first. */
export interface ModerationPage extends Paging {
  events: ModerationEvent[];
}

/** One entry of `GET /api/rooms/:room/moderation`. */
export interface ModerationEvent {
  id: number;
  ts: number;
  by: UserRef;
  action: "role" | "mute" | "unmute" | "ban" | "remove" | "readmit" | "delete";
  member?: string;
  /** The new role, for `role`. */
  role?: Role;
  /** When a mute or ban ends (ms); absent for one until lifted. */
  until?: number;
  /** The message deleted, for `delete`. */
  target?: number;
}
