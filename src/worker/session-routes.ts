import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readAuthConfig } from "../config";
import { checkDisplayName, type SessionResponse } from "../protocol";
import type { AppEnv } from "./app-env";
import { issueGuestSession, issueSession } from "../auth";
import { guestSignInWait } from "./guest-sign-in-limit";
import { jsonError } from "./http-error";
import { requireUser } from "./require-user";

export const sessionRoutes = new Hono<AppEnv>();

/** A name and nothing else: a small body. Without a limit the route read a 20 MB body whole. */
const signInBody = bodyLimit({
  maxSize: 1024,
  onError: (c) => jsonError(c, 413, "too_large", "a sign-in body must be at most 1024 bytes"),
});

/** Guest sign-in: a display name in, a session token out; a few per client address per minute. */
sessionRoutes.post("/", signInBody, async (c) => {
  const config = readAuthConfig(c.env);
  if (!config.allowGuests) return jsonError(c, 403, "guests_disabled", "guest sign-in is turned off; sign in with your identity provider");
  const body = await c.req.json<unknown>().catch(() => undefined);
  const raw = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined;
  const name = checkDisplayName(raw);
  if (!name.ok) return jsonError(c, 400, name.code, name.message);
  const wait = await guestSignInWait(c.env, c.req.raw);
  if (wait > 0) {
    return jsonError(c, 429, "rate_limited", "too many guest sign-ins from your network; try again shortly", { retryAfterMs: wait });
  }
  const session: SessionResponse = await issueGuestSession(name.value, config);
  return c.json(session, 201);
});

/**
 * A fresh token for the same person, while the one presented is still valid: a guest who comes
 * back at least once per session lifetime keeps their id, and with it their rooms, for ever.
 */
sessionRoutes.post("/refresh", requireUser, async (c) => {
  const session = c.get("session");
  if (session.issuer === "provider") {
    return jsonError(c, 400, "bad_message", "tokens from your identity provider are renewed by the provider, not here; sign in there again");
  }
  const renewed: SessionResponse = await issueSession(session.user, readAuthConfig(c.env));
  return c.json(renewed);
});
