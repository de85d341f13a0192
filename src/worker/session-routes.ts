import { Hono } from "hono";
import { readAuthConfig } from "../config";
import { checkDisplayName, type SessionResponse } from "../protocol";
import type { AppEnv } from "./app-env";
import { issueGuestSession } from "./auth";
import { jsonError } from "./http-error";

export const sessionRoutes = new Hono<AppEnv>();

/** Guest sign-in: a display name in, a session token out. */
sessionRoutes.post("/", async (c) => {
  const config = readAuthConfig(c.env);
  if (!config.allowGuests) return jsonError(c, 403, "guests_disabled", "guest sign-in is turned off; sign in with your identity provider");
  const body = await c.req.json<unknown>().catch(() => undefined);
  const raw = typeof body === "object" && body !== null ? (body as { name?: unknown }).name : undefined;
  const name = checkDisplayName(raw);
  if (!name.ok) return jsonError(c, 400, name.code, name.message);
  const session: SessionResponse = await issueGuestSession(name.value, config);
  return c.json(session, 201);
});
