import { createMiddleware } from "hono/factory";
import { readAuthConfig } from "../config";
import { CloseCode, PROTOCOL, type ErrorFrame } from "../protocol";
import type { AppEnv } from "./app-env";
import { AuthError, offeredSubprotocols, tokenFromRequest, verifySessionToken } from "./auth";
import { jsonError } from "./http-error";

/**
 * Lets a request through only with a valid session token and puts its user on the context.
 * A refused HTTP request gets 401 JSON. A refused WebSocket upgrade is accepted just long
 * enough to say why and close with 4001: a browser sees nothing of a failed handshake, and
 * must be able to tell "sign in again" from "the network is down".
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const config = readAuthConfig(c.env);
  const token = tokenFromRequest(c.req.raw);
  try {
    if (!token) throw new AuthError("no token: send Authorization: Bearer <token>");
    c.set("user", await verifySessionToken(token, config));
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    if (c.req.header("Upgrade")?.toLowerCase() === "websocket") return refuseWebSocket(c.req.raw, error.message);
    c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
    return jsonError(c, 401, "invalid_token", error.message);
  }
  await next();
});

function refuseWebSocket(request: Request, message: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  const frame: ErrorFrame = { type: "error", code: "invalid_token", message };
  server.send(JSON.stringify(frame));
  server.close(CloseCode.InvalidToken, "invalid token");
  // A browser that offered a subprotocol fails the handshake unless the answer names one.
  const headers = offeredSubprotocols(request).includes(PROTOCOL) ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined;
  return new Response(null, { status: 101, webSocket: client, headers });
}
