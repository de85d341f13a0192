import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import {
  checkOutgoingMessage,
  checkRoomId,
  LIMITS,
  parseSeq,
  PROTOCOL,
  type MessagesPage,
  type PostedMessage,
  type RoomSnapshot,
} from "../protocol";
import { toConnectRequest } from "../room/connect-request";
import type { AppEnv } from "./app-env";
import { offeredSubprotocols } from "./auth";
import { BadRequest, jsonError } from "./http-error";

type RoomEnv = AppEnv & { Variables: { roomId: string } };

/** The Worker checks what it can cheaply (room id, query, body) and leaves the rest to the room. */
export const roomRoutes = new Hono<RoomEnv>();

const checkRoom = createMiddleware<RoomEnv>(async (c, next) => {
  const roomId = checkRoomId(c.req.param("room"));
  if (!roomId.ok) return jsonError(c, 400, "bad_message", roomId.message);
  c.set("roomId", roomId.value);
  await next();
});
roomRoutes.use("/:room", checkRoom);
roomRoutes.use("/:room/*", checkRoom);

function room(c: Context<RoomEnv>) {
  return c.env.ROOMS.get(c.env.ROOMS.idFromName(c.get("roomId")));
}

function seqQuery(c: Context<RoomEnv>, name: string): number | undefined {
  const parsed = parseSeq(c.req.query(name));
  if (!parsed.ok) throw new BadRequest(`${name}: ${parsed.message}`);
  return parsed.value;
}

roomRoutes.get("/:room/ws", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return jsonError(c, 426, "upgrade_required", "this endpoint takes a WebSocket upgrade");
  }
  const request = toConnectRequest({
    roomId: c.get("roomId"),
    user: c.get("user"),
    after: seqQuery(c, "after"),
    subprotocol: offeredSubprotocols(c.req.raw).includes(PROTOCOL),
  });
  return room(c).fetch(request);
});

roomRoutes.get("/:room", async (c) => {
  const snapshot: RoomSnapshot = await room(c).describe(c.get("roomId"));
  return c.json(snapshot);
});

roomRoutes.post("/:room/join", async (c) => {
  const snapshot: RoomSnapshot = await room(c).join(c.get("roomId"), c.get("user"));
  return c.json(snapshot);
});

roomRoutes.get("/:room/messages", async (c) => {
  const limit = seqQuery(c, "limit") ?? LIMITS.recentHistory;
  if (limit < 1 || limit > LIMITS.maxPage) throw new BadRequest(`limit: must be between 1 and ${LIMITS.maxPage}`);
  const wait = seqQuery(c, "wait") ?? 0;
  if (wait > LIMITS.maxWaitSeconds) throw new BadRequest(`wait: must be at most ${LIMITS.maxWaitSeconds} seconds`);
  const page: MessagesPage = await room(c).readMessages(
    c.get("user"),
    { after: seqQuery(c, "after"), before: seqQuery(c, "before"), limit },
    wait * 1000,
  );
  return c.json(page);
});

roomRoutes.post(
  "/:room/messages",
  bodyLimit({
    maxSize: LIMITS.maxFrameBytes,
    onError: (c) => jsonError(c, 413, "too_large", `request bodies must be at most ${LIMITS.maxFrameBytes} bytes`),
  }),
  async (c) => {
    const body = await c.req.json<unknown>().catch(() => undefined);
    if (body === undefined) return jsonError(c, 400, "bad_message", "body is not valid JSON");
    const message = checkOutgoingMessage(body);
    if (!message.ok) return jsonError(c, message.code === "too_large" ? 413 : 400, message.code, message.message);
    const result = await room(c).postMessage(c.get("roomId"), c.get("user"), message.value);
    if (!result.ok) return jsonError(c, result.status, result.code, result.message, { retryAfterMs: result.retryAfterMs });
    const posted: PostedMessage = { id: result.message.id, seq: result.message.seq, ts: result.message.ts };
    return c.json(posted, result.created ? 201 : 200);
  },
);
