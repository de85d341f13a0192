import { LIMITS } from "./constants";
import type { BlockRequest, ConversationSettings, DirectRequest } from "./home";
import type { CreateRoomRequest } from "./api-bodies";
import type { ClientFrame, OutgoingMessage } from "./frames";
import { checkChange, isChangeKind } from "./change-kinds";
import { isObject, isSeq, isUserId } from "./guards";
import { fail, ok, type Checked } from "./result";
import { CONTROL_IN_NAME, codePoints, exceedsFrameLimit, hasFormatCharacter, isBlank, checkClientId, checkText, ROOM_ID } from "./text";

/** A file's id: what the upload route makes (16 random bytes, base64url). */
export const FILE_ID = /^[A-Za-z0-9_-]{22}$/;

// Checks of everything a client sends: bodies, query values and WebSocket frames. They never throw.

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

/** `PUT /api/me/settings`. */
export function checkConversationSettings(value: unknown): Checked<ConversationSettings> {
  if (!isObject(value) || typeof value.reopenOnMessage !== "boolean") return fail("bad_message", "body must be {\"reopenOnMessage\": true|false}");
  return ok({ reopenOnMessage: value.reopenOnMessage });
}

/** `PUT /api/me/blocked/:userId`: no body, or the name to list the person under. */
export function checkBlockRequest(value: unknown): Checked<BlockRequest> {
  if (value === undefined) return ok({});
  if (!isObject(value)) return fail("bad_message", "body must be {\"name\": \"...\"} or empty");
  if (value.name === undefined) return ok({});
  const name = checkDisplayName(value.name);
  return name.ok ? ok({ name: name.value }) : name;
}

/** A search's `q`: something to look for, at most LIMITS.maxSearchChars characters. */
export function checkSearchText(value: unknown): Checked<string> {
  if (typeof value !== "string" || value.trim() === "") return fail("bad_message", "q: say what to search for");
  if (Array.from(value).length > LIMITS.maxSearchChars) return fail("bad_message", `q: at most ${LIMITS.maxSearchChars} characters`);
  return ok(value);
}

/** A user id in a path (`/api/me/blocked/:userId`). */
export function checkUserId(value: unknown): Checked<string> {
  return isUserId(value) ? ok(value) : fail("bad_message", "that is not a user id");
}

/** Validates the body of a message, shared by the WebSocket `send` frame and HTTP `POST`. */
export function checkOutgoingMessage(value: unknown): Checked<OutgoingMessage> {
  if (!isObject(value)) return fail("bad_message", "message must be a JSON object");
  const { text, to, mentions, replyTo, files } = value;
  const checkedId = checkClientId(value.id);
  if (!checkedId.ok) return checkedId;
  const id = checkedId.value;
  if (files !== undefined && (!Array.isArray(files) || !files.every((f) => typeof f === "string" && FILE_ID.test(f)))) {
    return fail("bad_message", "files must be a list of file ids", id);
  }
  if (files !== undefined && (files.length > LIMITS.maxFilesPerMessage || new Set(files).size !== files.length)) {
    return fail("bad_message", `a message carries at most ${LIMITS.maxFilesPerMessage} different files`, id);
  }
  // A message of files alone needs no words.
  const checkedText = text === "" && files !== undefined && files.length > 0 ? ok("") : checkText(text, id);
  if (!checkedText.ok) return checkedText;
  const message: OutgoingMessage = { id, text: checkedText.value };
  if (files !== undefined && files.length > 0) message.files = files as string[];
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
  if (replyTo !== undefined) {
    if (!isSeq(replyTo) || replyTo === 0) return fail("bad_message", "replyTo must be the seq of a message", id);
    message.replyTo = replyTo;
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
  if (isChangeKind(value.type)) return checkChange(value.type, value);
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

/** Parses a non-negative whole number from a query parameter; undefined when absent. */
export function parseSeq(raw: string | null | undefined): Checked<number | undefined> {
  if (raw === null || raw === undefined || raw === "") return ok(undefined);
  if (!/^\d{1,15}$/.test(raw)) return fail("bad_message", "sequence numbers are non-negative whole numbers");
  return ok(Number(raw));
}
