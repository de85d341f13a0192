import { HTTPException } from "hono/http-exception";
import { fail, type ApiErrorCode, type Failure } from "../protocol";

/**
 * How a route or middleware refuses a request: thrown like Hono's HTTPException, with the
 * Failure it answers, which app.onError (http-error.ts) writes as the API's error body. Thrown
 * rather than returned so a helper deep in a route can refuse without every caller passing a
 * Response back up.
 */
export class ApiException extends HTTPException {
  override name = "ApiException";

  constructor(readonly failure: Failure<ApiErrorCode>) {
    super(failure.status, { message: failure.message });
  }
}

/** Refuses the request with this code, answered with the code's status (STATUS_OF). */
export function refuse(code: ApiErrorCode, message: string, details: { retryAfterMs?: number } = {}): never {
  throw new ApiException({ ...fail(code, message), ...details });
}

/** The success of a check, a room or a hub; its refusal is thrown, to be answered as it is. */
export function orRefuse<R extends { ok: true } | Failure<ApiErrorCode>>(result: R): Extract<R, { ok: true }> {
  if (!result.ok) throw new ApiException(result);
  return result as Extract<R, { ok: true }>;
}
