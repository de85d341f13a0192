import { createMiddleware } from "hono/factory";
import { readAuthConfig } from "../config";
import { logEvent } from "../log-lines";
import { PROTOCOL } from "../protocol";
import { refuseEntry } from "../shared/refused-socket";
import type { AppEnv } from "./app-env";
import { AuthError, isSocketUpgrade, offeredSubprotocols, tokenFromRequest, verifySessionToken } from "../auth";

/**
 * Lets a request through only with a valid session token and puts its user on the context.
 * A refused WebSocket upgrade gets an error frame and 4001; a refused HTTP request the
 * AuthError, which app.onError answers with 401.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const config = readAuthConfig(c.env);
  const token = tokenFromRequest(c.req.raw);
  try {
    if (!token) throw new AuthError("no token: send Authorization: Bearer <token>");
    const session = await verifySessionToken(token, config);
    c.set("user", session.user);
    c.set("session", session);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    logEvent("worker.auth_refused", { path: new URL(c.req.url).pathname, reason: error.message });
    if (isSocketUpgrade(c.req.raw)) {
      const offered = offeredSubprotocols(c.req.raw).includes(PROTOCOL);
      return refuseEntry({ code: "invalid_token", message: error.message }, offered);
    }
    throw error;
  }
  await next();
});
