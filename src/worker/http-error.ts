import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AuthError } from "../auth";
import { ConfigError } from "../config";
import { logError } from "../log-lines";
import { errorBody, fail, type ApiErrorCode, type Failure } from "../protocol";
import { ApiException } from "./api-exception";

/** Writes the API's one error body, `{"error": {"code", "message"}}`, so clients need one handler. Routes throw instead (api-exception.ts). */
function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode,
  message: string,
  extra: { retryAfterMs?: number } = {},
): Response {
  if (extra.retryAfterMs !== undefined) c.header("Retry-After", String(Math.ceil(extra.retryAfterMs / 1000)));
  // RFC 6750: a refused bearer token is answered with the challenge that says so.
  if (status === 401) c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
  return c.json(errorBody({ code, message, ...extra }), status);
}

/** app.onError: whatever a route threw, answered as the API's error; anything unforeseen is logged and hidden. */
export function answerError(error: unknown, c: Context): Response {
  return answer(c, refusalFor(error, c));
}

/** app.notFound */
export function answerNotFound(c: Context): Response {
  return answer(c, fail("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
}

function answer(c: Context, refusal: Failure<ApiErrorCode>): Response {
  return jsonError(c, refusal.status, refusal.code, refusal.message, { retryAfterMs: refusal.retryAfterMs });
}

function refusalFor(error: unknown, c: Context): Failure<ApiErrorCode> {
  if (error instanceof ApiException) return error.failure;
  if (error instanceof AuthError) return fail("invalid_token", error.message);
  if (error instanceof ConfigError) {
    logError("worker.misconfigured", error, { variable: error.variable });
    return fail("server_misconfigured", error.message);
  }
  logError("worker.failed", error, { path: new URL(c.req.url).pathname });
  return fail("internal", "the server failed to handle this request");
}
