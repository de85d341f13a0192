import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readAuthConfig } from "../config";
import { checkDisplayName, type SessionResponse } from "../protocol";
import type { AppEnv } from "./app-env";
import { issueGuestSession, issueSession } from "../auth";
import { guestSignInWait } from "./guest-sign-in-limit";
import { orRefuse, refuse } from "./api-exception";
import { requireUser } from "./require-user";

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
  const session: SessionResponse = await issueGuestSession(name, config);
  return c.json(session, 201);
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
  const renewed: SessionResponse = await issueSession(session.user, readAuthConfig(c.env));
  return c.json(renewed);
});
