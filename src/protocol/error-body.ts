import type { ApiErrorBody, ApiErrorCode } from "./api-bodies";
import { isObject } from "./guards";
import type { Failure } from "./result";

// The API's error body, `{"error": {"code", "message", "retryAfterMs"?}}`: written by the Worker
// from a Failure, read back by clients. Its status rides on the response, not in the body.

/** The body answering a refusal. `id` stays out: an HTTP client knows which request it made. */
export function errorBody(refusal: Pick<Failure<ApiErrorCode>, "code" | "message" | "retryAfterMs">): ApiErrorBody {
  const error: ApiErrorBody["error"] = { code: refusal.code, message: refusal.message };
  if (refusal.retryAfterMs !== undefined) error.retryAfterMs = refusal.retryAfterMs;
  return { error };
}

/** The error a response's body names; undefined for a body that is not one (a proxy's page, a truncated answer). */
export function readErrorBody(value: unknown): ApiErrorBody["error"] | undefined {
  if (!isObject(value) || !isObject(value.error)) return undefined;
  const { code, message, retryAfterMs } = value.error;
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  // A newer server's code is passed on as it is: a client acts on the codes it knows.
  const error: ApiErrorBody["error"] = { code: code as ApiErrorCode, message };
  if (typeof retryAfterMs === "number") error.retryAfterMs = retryAfterMs;
  return error;
}
