import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorBody, ApiErrorCode } from "../protocol";

/** Every API error has one shape, `{"error": {"code", "message"}}`, so clients need one handler. */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode,
  message: string,
  extra: { retryAfterMs?: number } = {},
): Response {
  const body: ApiErrorBody = { error: { code, message, ...extra } };
  if (extra.retryAfterMs !== undefined) c.header("Retry-After", String(Math.ceil(extra.retryAfterMs / 1000)));
  return c.json(body, status);
}

/** A request the Worker refuses as malformed; the app's error handler turns it into a 400. */
export class BadRequest extends Error {
  override name = "BadRequest";
}
