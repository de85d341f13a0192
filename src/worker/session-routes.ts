import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readAuthConfig } from "../config";
import { checkDisplayName, type SessionResponse } from "../protocol";
import type { AppEnv } from "./app-env";
import { issueGuestSession, issueSession, type IssuedSession } from "../auth";
import { guestSignInWait } from "./guest-sign-in-limit";
import { orRefuse, refuse } from "./api-exception";
import { requireUser } from "./require-user";
import { hubOf } from "./hub-stub";

export const sessionRoutes = new Hono<AppEnv>();

/** A name and nothing else: a small body. Without a limit the route read a 20 MB body whole. */
const signInBody = bodyLimit({
  maxSize: 1024,
  onError: () => refuse("too_large", "a sign-in body must be at most 1024 bytes"),
});

/** Guest sign-in: a display name in, a session token out; a few per client address per minute. */
sessionRoutes.post("/", signInBody, async (c) => {
  const config = readAuthConfig(c.env);
  if (!config.allowGuests) refuse("guests_disabled", "guest sign-in is turned off; sign in with your identity provider");
  const body = await c.req.json<unknown>().catch(() => undefined);
  const raw = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined;
  const name = orRefuse(checkDisplayName(raw)).value;
  const wait = await guestSignInWait(c.env, c.req.raw);
  if (wait > 0) refuse("rate_limited", "too many guest sign-ins from your network; try again shortly", { retryAfterMs: wait });
  // A new session cannot have been signed out: its hub first hears of it at its first renewal,
  // so a crowd of guests signing in does not create a hub each on the way in.
  const session = await issueGuestSession(name, config);
  return c.json(answer(session), 201);
});

/**
 * A fresh token for the same person, while the one presented is still valid: a guest who comes
 * back at least once per session lifetime keeps their id, and with it their rooms, for ever.
 */
sessionRoutes.post("/refresh", requireUser, async (c) => {
  const session = c.get("session");
  if (session.issuer === "provider") {
    refuse("bad_message", "tokens from your identity provider are renewed by the provider, not here; sign in there again");
  }
  // The same session goes on (a token from before sessions had ids starts one), unless it was signed out.
  const renewed = await issueSession(session.user, readAuthConfig(c.env), session.sessionId);
  orRefuse(await hubOf(c.env, session.user.id).renewSession(renewed.sessionId, renewed.expiresAt));
  return c.json(answer(renewed));
});

/**
 * Sign-out: the session is revoked in the person's hub. None of its tokens is renewed again
 * (over HTTP or in-band on a room socket), and its home pages close; other devices' sessions
 * go on.
 */
sessionRoutes.delete("/", requireUser, async (c) => {
  const session = c.get("session");
  if (session.sessionId === undefined) {
    refuse("bad_message", session.issuer === "provider" ? "sign out at your identity provider" : "this token names no session; let it expire");
  }
  await hubOf(c.env, session.user.id).endSession(session.sessionId, session.expiresAt);
  return c.body(null, 204);
});


function answer(session: IssuedSession): SessionResponse {
  return { token: session.token, user: session.user, expiresAt: session.expiresAt };
}
