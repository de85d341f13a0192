import type { ApiErrorCode } from "./api-bodies";
import type { ErrorCode } from "./constants";

// One way to say no, everywhere: the checks of what clients send, the room's and hub's answers
// across the object boundary (RPC would turn a thrown error into a bare 500), and the Worker's
// refusals. The Worker writes a Failure as the API's error body, the room as an error frame.

/** Every status a refusal is answered with. */
export type FailureStatus = 400 | 401 | 403 | 404 | 411 | 413 | 426 | 429 | 500;

/**
 * Each code's HTTP status, so no route picks one by hand. A few refusals differ and say so
 * where they are made (`failure`): 404 for an id that names nothing, 411 for a body without
 * its length.
 */
export const STATUS_OF: Record<ApiErrorCode, FailureStatus> = {
  bad_message: 400,
  too_large: 413,
  rate_limited: 429,
  too_many_connections: 429,
  unknown_user: 400,
  invalid_token: 401,
  forbidden: 403,
  invalid_invite: 403,
  guests_disabled: 403,
  not_found: 404,
  upgrade_required: 426,
  internal: 500,
  server_misconfigured: 500,
};

/**
 * A refusal. Frames carry only the room's codes (ErrorCode); HTTP answers a few of its own.
 * `id` names the message or change refused, for a client to mark it failed.
 */
export interface Failure<Code extends ApiErrorCode = ErrorCode> {
  ok: false;
  status: FailureStatus;
  code: Code;
  message: string;
  retryAfterMs?: number;
  id?: string;
}

/** A success with its fields beside `ok`, or a refusal. */
export type Result<T extends object = {}> = ({ ok: true } & T) | Failure;

/** What a check of a client's input gives: the value it read, cleaned, or why not. */
export type Checked<T> = Result<{ value: T }>;

export const ok = <T>(value: T): Checked<T> => ({ ok: true, value });

/** A refusal answered with its code's status. */
export function fail<Code extends ApiErrorCode>(code: Code, message: string, id?: string): Failure<Code> {
  const refusal: Failure<Code> = { ok: false, status: STATUS_OF[code], code, message };
  if (id !== undefined) refusal.id = id;
  return refusal;
}

/** A refusal with its status given: the room's modules name each one, and a few differ from STATUS_OF. */
export function failure<Code extends ApiErrorCode>(status: FailureStatus, code: Code, message: string): Failure<Code> {
  return { ok: false, status, code, message };
}
