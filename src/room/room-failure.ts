import type { ErrorCode } from "../protocol";

/**
 * A refusal that crosses the object boundary as a value: the Worker turns it into the API's
 * error body, the room into an error frame. RPC would turn a thrown error into a bare 500.
 */
export interface RoomFailure {
  ok: false;
  status: 400 | 401 | 403 | 404 | 429;
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

export type RoomResult<T> = ({ ok: true } & T) | RoomFailure;

export function failure(status: RoomFailure["status"], code: ErrorCode, message: string): RoomFailure {
  return { ok: false, status, code, message };
}

/** What a non-member of a private room is told: nothing about the room itself. */
export const NOT_A_MEMBER = failure(403, "forbidden", "you are not a member of this room");
export const UNKNOWN_MEMBER = failure(400, "unknown_user", "no member of this room has that id");
export const OWNER_ONLY = failure(403, "forbidden", "only the room's owner may do that");
