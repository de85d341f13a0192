/**
 * The edge-chat wire protocol, version 1: every frame's shape, the limits, and the validation
 * of everything a client may send. The room, the Worker, the browser client and the tests all
 * import this module, so a shape changes in one place. Documented in docs/protocol.md.
 *
 * It must run in the Workers runtime, in browsers and in Node, so it uses only the language.
 */

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
  /** Members one message may @-mention. */
  maxMentions: 20,
  /** How much of a room's newest message its home entry shows. */
  homePreviewChars: 140,
} as const;

/** Every close code edge-chat sends; docs/protocol.md says what a client should do after each. */
export const CloseCode = {
  Normal: 1000,
  /** Nothing heard for too long: the room's sweep, or the client's own heartbeat, gave up on the connection. */
  NoHeartbeat: 4000,
  InvalidToken: 4001,
  Forbidden: 4003,
  /** Refused frames past the strike limit, a typing flood, or too many connections: reconnect only after a pause. */
  Abuse: 4008,
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
  | "invalid_invite"
  | "too_many_connections"
  | "internal";

export interface UserRef {
  id: string;
  name: string;
}

export interface Member extends UserRef {
  online: boolean;
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
}

export interface WelcomeFrame {
  type: "welcome";
  room: RoomInfo;
  you: UserRef;
  /** The newest seq in the room when this connection opened. */
  seq: number;
  /** Everyone online, then the members seen most recently, at most LIMITS.listedMembers. */
  members: Member[];
}

export interface HistoryFrame {
  type: "history";
  messages: ChatMessage[];
  /** True when there is more than this frame holds: older messages (fresh connection) or newer ones to page over HTTP (resume). */
  more: boolean;
}

export interface AckFrame {
  type: "ack";
  id: string;
  seq: number;
  ts: number;
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

export type ServerFrame =
  | WelcomeFrame
  | AuthAcceptedFrame
  | HistoryFrame
  | ChatMessage
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

export type ClientFrame = SendFrame | ReadFrame | AuthFrame | { type: "typing" } | { type: "who" };

// ---- The user's home: the hub socket (`GET /api/me/ws`) and `GET /api/me/rooms` ----------

/** One of the user's rooms as their home lists it; the counts are the room's, made when asked. */
export interface HomeRoom {
  id: string;
  title?: string;
  visibility: Visibility;
  role: "owner" | "member";
  /** A one-to-one conversation; its title is then the other person's name. */
  direct?: true;
  /** The room's newest seq. */
  seq: number;
  /** The user's read position: everything up to it has been seen. */
  lastReadSeq: number;
  /** Messages after lastReadSeq the user may see, not counting their own. */
  unread: number;
  /** Of those, the direct messages to the user and the messages that @-mention them. */
  mentions: number;
  /** The newest message the user may see, its text cut to LIMITS.homePreviewChars. */
  last?: { from: UserRef; text: string; ts: number };
}

export interface HomeRoomsFrame {
  type: "rooms";
  rooms: HomeRoom[];
}

/** A room of the user's changed: a new message, their read position, or they joined it. */
export interface HomeRoomFrame {
  type: "room";
  room: HomeRoom;
}

/** The user left the room or was removed from it. */
export interface HomeRoomLeftFrame {
  type: "room_left";
  id: string;
}

export type HomeFrame = HomeRoomsFrame | HomeRoomFrame | HomeRoomLeftFrame;

/** `POST /api/dm`: a one-to-one conversation with this user. */
export interface DirectRequest {
  user: string;
}

/** `GET /api/me/rooms` */
export interface HomeRoomsResponse {
  rooms: HomeRoom[];
}

// ---- HTTP API bodies ---------------------------------------------------------------------

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

/** `GET /api/rooms/:room` */
export interface RoomSnapshot {
  room: RoomInfo;
  seq: number;
  members: Member[];
}

/** `GET /api/rooms/:room/messages` */
export interface MessagesPage {
  messages: ChatMessage[];
  more: boolean;
  /** The newest seq in the room. */
  seq: number;
}

/** `POST /api/rooms/:room/messages` */
export interface PostedMessage {
  id: string;
  seq: number;
  ts: number;
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

/** `GET /api/rooms/:room/invites?limit=&before=` (owner only): newest first; `next` is the `before` of the next page. */
export interface InvitesPage {
  invites: InviteSummary[];
  more: boolean;
  next?: number;
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

// ---- Validation -------------------------------------------------------------------------

export type Checked<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; id?: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (code: ErrorCode, message: string, id?: string): Checked<never> =>
  id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };

const ROOM_ID = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.maxRoomIdChars}}$`);
const MESSAGE_ID = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.maxMessageIdChars}}$`);
// C0 controls other than tab, line feed and carriage return, plus DEL and the C1 block.
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Format characters (category Cf: zero-width spaces, soft hyphens, bidi controls) are invisible
// or reorder what follows them: "Ada\u200b" or "\u202eAda" would pass for "Ada". A zero-width
// joiner between two emoji is how families and flags are written, and stays.
const FORMAT_CHARACTER = /\p{Cf}/u;
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
/** Anything but what shows nothing on screen: white space, format characters, and the blank fillers some scripts have. */
const VISIBLE = /[^\s\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]/u;

/** Whether the text holds a format character other than a joiner inside an emoji. */
export function hasFormatCharacter(text: string): boolean {
  return FORMAT_CHARACTER.test(text.replace(EMOJI_JOINER, ""));
}

/** Removes format characters other than joiners inside emoji: how a provider's name is made displayable. */
export function withoutFormatCharacters(text: string): string {
  return text.replace(/\p{Cf}/gu, (char, offset: number, whole: string) =>
    char === "\u200D" && hasEmojiAround(whole, offset) ? char : "",
  );
}

function hasEmojiAround(text: string, offset: number): boolean {
  return /\p{Extended_Pictographic}\uFE0F?$/u.test(text.slice(0, offset)) && /^\p{Extended_Pictographic}/u.test(text.slice(offset + 1));
}

/** Whether text would show as nothing: only white space, format characters and blank fillers. */
export function isBlank(text: string): boolean {
  // A search that stops at the first visible character: every message is checked, and copying it would allocate.
  return !VISIBLE.test(text);
}

export function checkRoomId(value: unknown): Checked<string> {
  if (typeof value === "string" && ROOM_ID.test(value)) return ok(value);
  return fail("bad_message", `room ids are 1-${LIMITS.maxRoomIdChars} characters of A-Z, a-z, 0-9, '_' and '-'`);
}

/** A display name: 1-32 characters after trimming, no control or format characters. Returns it trimmed. */
export function checkDisplayName(value: unknown): Checked<string> {
  if (typeof value !== "string") return fail("bad_message", "name must be a string");
  const name = value.trim();
  if (!name.isWellFormed()) return fail("bad_message", "name is not valid Unicode");
  if (CONTROL_IN_NAME.test(name)) return fail("bad_message", "name must not contain control characters");
  if (hasFormatCharacter(name)) return fail("bad_message", "name must not contain invisible or direction-changing characters");
  if (isBlank(name)) return fail("bad_message", "name must not be empty");
  if (codePoints(name) > LIMITS.maxNameChars) {
    return fail("bad_message", `name must be at most ${LIMITS.maxNameChars} characters`);
  }
  return ok(name);
}

/** The body of `POST /api/rooms`. */
export function checkCreateRoom(value: unknown): Checked<CreateRoomRequest> {
  if (!isObject(value)) return fail("bad_message", "body must be a JSON object");
  const { title, visibility } = value;
  if (visibility !== "public" && visibility !== "private") {
    return fail("bad_message", 'visibility must be "public" or "private"');
  }
  if (title === undefined) return ok({ visibility });
  if (typeof title !== "string") return fail("bad_message", "title must be a string");
  const trimmed = title.trim();
  if (!trimmed.isWellFormed() || CONTROL_IN_NAME.test(trimmed) || hasFormatCharacter(trimmed)) {
    return fail("bad_message", "title must be valid Unicode without control, invisible or direction-changing characters");
  }
  if (codePoints(trimmed) > LIMITS.maxTitleChars) {
    return fail("bad_message", `title must be at most ${LIMITS.maxTitleChars} characters`);
  }
  return ok(trimmed ? { title: trimmed, visibility } : { visibility });
}

/** `POST /api/rooms/:room/invites` with optional `{"expiresIn": seconds, "maxUses": n, "for": userId}` */
export interface InviteRequest {
  expiresIn: number;
  maxUses?: number;
  /** A user id: the invite admits that person only. */
  for?: string;
}

/** The body of `POST /api/rooms/:room/invites`; every field optional. */
export function checkInviteRequest(value: unknown): Checked<InviteRequest> {
  const body = value === undefined || value === null ? {} : value;
  if (!isObject(body)) return fail("bad_message", "body must be a JSON object");
  const { expiresIn = LIMITS.defaultInviteSeconds, maxUses, for: forUser } = body;
  if (!Number.isInteger(expiresIn) || (expiresIn as number) < 1 || (expiresIn as number) > LIMITS.maxInviteSeconds) {
    return fail("bad_message", `expiresIn must be whole seconds from 1 to ${LIMITS.maxInviteSeconds}`);
  }
  const request: InviteRequest = { expiresIn: expiresIn as number };
  if (maxUses !== undefined) {
    if (!Number.isInteger(maxUses) || (maxUses as number) < 1 || (maxUses as number) > LIMITS.maxInviteUses) {
      return fail("bad_message", `maxUses must be a whole number from 1 to ${LIMITS.maxInviteUses}`);
    }
    request.maxUses = maxUses as number;
  }
  if (forUser !== undefined) {
    if (!isUserId(forUser)) return fail("bad_message", "for must be a user id");
    request.for = forUser;
  }
  return ok(request);
}

export function checkDirectRequest(value: unknown): Checked<DirectRequest> {
  if (!isObject(value) || !isUserId(value.user)) return fail("bad_message", "body must be {\"user\": \"<user id>\"}");
  return ok({ user: value.user });
}

/** Validates the body of a message, shared by the WebSocket `send` frame and HTTP `POST`. */
export function checkOutgoingMessage(value: unknown): Checked<OutgoingMessage> {
  if (!isObject(value)) return fail("bad_message", "message must be a JSON object");
  const { id, text, to, mentions } = value;
  if (typeof id !== "string" || !MESSAGE_ID.test(id)) {
    return fail("bad_message", `id must be 1-${LIMITS.maxMessageIdChars} printable ASCII characters without spaces`);
  }
  if (typeof text !== "string") return fail("bad_message", "text must be a string", id);
  if (isBlank(text)) return fail("bad_message", "text must not be empty (white space and invisible characters alone show nothing)", id);
  if (!text.isWellFormed()) return fail("bad_message", "text is not valid Unicode", id);
  if (CONTROL_IN_TEXT.test(text)) return fail("bad_message", "text must not contain control characters", id);
  if (text.length > LIMITS.maxTextChars && codePoints(text) > LIMITS.maxTextChars) {
    return fail("too_large", `text must be at most ${LIMITS.maxTextChars} characters`, id);
  }
  const message: OutgoingMessage = { id, text };
  if (to !== undefined) {
    if (!isUserId(to)) return fail("bad_message", "to must be a user id", id);
    message.to = to;
  }
  if (mentions !== undefined) {
    if (!Array.isArray(mentions) || !mentions.every(isUserId)) return fail("bad_message", "mentions must be a list of user ids", id);
    const unique = [...new Set(mentions)];
    if (unique.length > LIMITS.maxMentions) return fail("bad_message", `at most ${LIMITS.maxMentions} people can be mentioned in one message`, id);
    if (unique.length > 0) message.mentions = unique;
  }
  return ok(message);
}

/** Parses one WebSocket frame from a client. Never throws. */
export function parseClientFrame(data: string | ArrayBuffer): Checked<ClientFrame> {
  if (typeof data !== "string") return fail("bad_message", "binary frames are not supported; send JSON text");
  if (exceedsFrameLimit(data)) {
    return fail("too_large", `frames must be at most ${LIMITS.maxFrameBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return fail("bad_message", "frame is not valid JSON");
  }
  if (!isObject(value)) return fail("bad_message", "frame must be a JSON object");
  switch (value.type) {
    case "send": {
      const checked = checkOutgoingMessage(value);
      return checked.ok ? ok({ type: "send", ...checked.value }) : checked;
    }
    case "typing":
      return ok({ type: "typing" });
    case "auth":
      return typeof value.token === "string" && value.token.length > 0
        ? ok({ type: "auth", token: value.token })
        : fail("bad_message", "token must be a session token");
    case "read":
      return isSeq(value.seq) ? ok({ type: "read", seq: value.seq }) : fail("bad_message", "seq must be a whole number of at least 0");
    case "who":
      return ok({ type: "who" });
    default:
      return typeof value.type === "string"
        ? fail("bad_message", `unknown frame type "${value.type.slice(0, 32)}"`)
        : fail("bad_message", "frame needs a string \"type\"");
  }
}

/**
 * Parses one frame from the server (client side). Returns null for anything that is not a
 * frame this version knows, so a newer server's additions are skipped rather than crashing.
 */
export function parseServerFrame(data: string): ServerFrame | null {
  const value = frameObject(data);
  if (!value) return null;
  switch (value.type) {
    case "message":
      return isChatMessage(value) ? value : null;
    case "welcome":
      return isObject(value.room) && isUserRef(value.you) && isNumber(value.seq) && isMemberList(value.members)
        ? (value as unknown as WelcomeFrame)
        : null;
    case "history":
      return Array.isArray(value.messages) && value.messages.every(isChatMessage) && typeof value.more === "boolean"
        ? (value as unknown as HistoryFrame)
        : null;
    case "ack":
      return typeof value.id === "string" && isNumber(value.seq) && isNumber(value.ts)
        ? (value as unknown as AckFrame)
        : null;
    case "presence":
      return isUserList(value.joined) && isUserList(value.left) ? (value as unknown as PresenceFrame) : null;
    case "typing":
      return isUserRef(value.user) ? (value as unknown as TypingNotice) : null;
    case "members":
      return isMemberList(value.members) ? (value as unknown as MembersFrame) : null;
    case "auth":
      return isNumber(value.expiresAt) ? (value as unknown as AuthAcceptedFrame) : null;
    case "error":
      return typeof value.code === "string" && typeof value.message === "string"
        ? (value as unknown as ErrorFrame)
        : null;
    default:
      return null;
  }
}

/** Parses one frame of the home socket (client side); null for what this version does not know. */
export function parseHomeFrame(data: string): HomeFrame | null {
  const value = frameObject(data);
  if (!value) return null;
  switch (value.type) {
    case "rooms":
      return Array.isArray(value.rooms) && value.rooms.every(isHomeRoom) ? (value as unknown as HomeRoomsFrame) : null;
    case "room":
      return isHomeRoom(value.room) ? (value as unknown as HomeRoomFrame) : null;
    case "room_left":
      return typeof value.id === "string" ? (value as unknown as HomeRoomLeftFrame) : null;
    default:
      return null;
  }
}

/** A frame from the server as a JSON object; null for a pong, bad JSON, or anything else. */
function frameObject(data: string): Record<string, unknown> | null {
  if (data === PONG) return null;
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isHomeRoom(value: unknown): value is HomeRoom {
  return (
    isObject(value) &&
    typeof value.id === "string" &&
    (value.visibility === "public" || value.visibility === "private") &&
    isSeq(value.seq) &&
    isSeq(value.lastReadSeq) &&
    isSeq(value.unread) &&
    isSeq(value.mentions) &&
    (value.last === undefined || (isObject(value.last) && isUserRef(value.last.from) && typeof value.last.text === "string"))
  );
}

/** Parses a non-negative whole number from a query parameter; undefined when absent. */
export function parseSeq(raw: string | null | undefined): Checked<number | undefined> {
  if (raw === null || raw === undefined || raw === "") return ok(undefined);
  if (!/^\d{1,15}$/.test(raw)) return fail("bad_message", "sequence numbers are non-negative whole numbers");
  return ok(Number(raw));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isUserId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= LIMITS.maxUserIdChars;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isUserRef(value: unknown): value is UserRef {
  return isObject(value) && typeof value.id === "string" && typeof value.name === "string";
}

function isUserList(value: unknown): value is UserRef[] {
  return Array.isArray(value) && value.every(isUserRef);
}

function isMemberList(value: unknown): value is Member[] {
  return Array.isArray(value) && value.every((m) => isUserRef(m) && typeof (m as Member).online === "boolean");
}

function isChatMessage(value: unknown): value is ChatMessage {
  return (
    isObject(value) &&
    value.type === "message" &&
    isNumber(value.seq) &&
    typeof value.id === "string" &&
    isUserRef(value.from) &&
    typeof value.text === "string" &&
    isNumber(value.ts) &&
    (value.to === undefined || typeof value.to === "string") &&
    (value.mentions === undefined || (Array.isArray(value.mentions) && value.mentions.every((m) => typeof m === "string")))
  );
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function exceedsFrameLimit(text: string): boolean {
  // Every UTF-16 unit is at most 3 UTF-8 bytes, so most frames need no encoding to be measured.
  if (text.length * 3 <= LIMITS.maxFrameBytes) return false;
  return new TextEncoder().encode(text).byteLength > LIMITS.maxFrameBytes;
}
