import type { MutedFrame, AuthAcceptedFrame, AckFrame, ErrorFrame, HistoryFrame, MembersFrame, PresenceFrame, ServerFrame, TypingNotice, WelcomeFrame } from "./frames";
import { PONG } from "./constants";
import type { HomeFrame, HomeRoom, HomeRoomFrame, HomeRoomLeftFrame, HomeRoomsFrame } from "./home";
import { isUpdateFrame } from "./change-kinds";
import { isChatMessage, isMemberList, isNumber, isObject, isSeq, isUserList, isUserRef } from "./guards";

/**
 * Parses one frame from the server (client side). Returns null for anything that is not a
 * frame this version knows, so a newer server's additions are skipped rather than crashing.
 */
export function parseServerFrame(data: string): ServerFrame | null {
  const value = frameObject(data);
  return value && serverFrame(value);
}

/**
 * Parses what one WebSocket message from the server carries: one frame, or a `batch` frame's
 * frames in order (for clients that asked for batches). Frames this version does not know are
 * left out, as parseServerFrame leaves them.
 */
export function parseServerFrames(data: string): ServerFrame[] {
  const value = frameObject(data);
  if (!value) return [];
  if (value.type !== "batch") {
    const frame = serverFrame(value);
    return frame ? [frame] : [];
  }
  if (!Array.isArray(value.frames)) return [];
  return value.frames.flatMap((inner: unknown) => {
    const frame = isObject(inner) && inner.type !== "batch" ? serverFrame(inner) : null;
    return frame ? [frame] : [];
  });
}

function serverFrame(value: Record<string, unknown>): ServerFrame | null {
  switch (value.type) {
    case "message":
      return isChatMessage(value) ? value : null;
    case "welcome":
      return isObject(value.room) && isUserRef(value.you) && isNumber(value.seq) && isMemberList(value.members)
        ? (value as unknown as WelcomeFrame)
        : null;
    case "history":
      return Array.isArray(value.messages) &&
        value.messages.every(isChatMessage) &&
        typeof value.more === "boolean" &&
        (value.updates === undefined || (Array.isArray(value.updates) && value.updates.every(isUpdateFrame)))
        ? (value as unknown as HistoryFrame)
        : null;
    case "update":
      return isUpdateFrame(value) ? value : null;
    case "ack":
      return typeof value.id === "string" && isNumber(value.seq) && isNumber(value.ts) && (value.update === undefined || isUpdateFrame(value.update))
        ? (value as unknown as AckFrame)
        : null;
    case "presence":
      return isUserList(value.joined) && isUserList(value.left) ? (value as unknown as PresenceFrame) : null;
    case "typing":
      return isUserRef(value.user) ? (value as unknown as TypingNotice) : null;
    case "members":
      return isMemberList(value.members) ? (value as unknown as MembersFrame) : null;
    case "muted":
      return typeof value.muted === "boolean" ? (value as unknown as MutedFrame) : null;
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
