import { Hono } from "hono";
import type { AppEnv } from "./app-env";
import { checkOrigin } from "./check-origin";
import { answerError, answerNotFound } from "./http-error";
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

app.notFound(answerNotFound);
app.onError(answerError);

export default app;
