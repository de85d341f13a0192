import { Hono } from "hono";
import { ConfigError } from "../config";
import { logError } from "../log";
import type { AppEnv } from "./app-env";
import { checkOrigin } from "./check-origin";
import { BadRequest, jsonError } from "./http-error";
import { directRoutes } from "./direct-routes";
import { homeRoutes } from "./home-routes";
import { pageRoutes } from "./page-routes";
import { requireUser } from "./require-user";
import { roomRoutes } from "./room-routes";
import { sessionRoutes } from "./session-routes";

export { ChatRoom } from "../room/chat-room";
export { UserHub } from "../hub/user-hub";
export { FanoutShard } from "../shard/fanout-shard";
export { SignInCounter } from "../sign-in-limiter/sign-in-counter";

/**
 * The Worker: it authenticates every API request and forwards room traffic to the room's
 * Durable Object. Pages and scripts are static assets; only room pages (/r/<room>) pass through.
 */
const app = new Hono<AppEnv>();

app.get("/api/health", (c) => c.json({ ok: true }));
app.route("/api/session", sessionRoutes);
app.use("/api/rooms/:room/ws", checkOrigin);
app.use("/api/me/ws", checkOrigin);
app.use("/api/me/*", requireUser);
app.route("/api/me", homeRoutes);
app.use("/api/dm", requireUser);
app.route("/api/dm", directRoutes);
app.use("/api/rooms/*", requireUser);
app.route("/api/rooms", roomRoutes);
app.route("/", pageRoutes);

app.notFound((c) => jsonError(c, 404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));

app.onError((error, c) => {
  if (error instanceof BadRequest) return jsonError(c, 400, "bad_message", error.message);
  if (error instanceof ConfigError) {
    logError("worker.misconfigured", error, { variable: error.variable });
    return jsonError(c, 500, "server_misconfigured", error.message);
  }
  logError("worker.failed", error, { path: new URL(c.req.url).pathname });
  return jsonError(c, 500, "internal", "the server failed to handle this request");
});

export default app;
