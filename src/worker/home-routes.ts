import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { toHubConnectRequest } from "../hub/user-hub";
import { checkBlockRequest, checkConversationSettings, checkPageQuery, checkRoomId, checkSearchText, PAGES, checkUserId, PROTOCOL, type BlockedList, type MySearchPage, type ConversationSettings } from "../protocol";
import type { AppEnv } from "./app-env";
import { hubOf } from "./hub-stub";
import { offeredSubprotocols } from "../auth";
import { orRefuse, refuse } from "./api-exception";
import { jsonBody } from "./json-body";

/**
 * The signed-in user's own things: their rooms, the home socket that keeps the list live, the
 * conversations they left, the people they blocked, and their settings.
 */
export const homeRoutes = new Hono<AppEnv>();

const hub = (c: Context<AppEnv>) => hubOf(c.env, c.get("user").id);

const smallBody = bodyLimit({
  maxSize: 1024,
  onError: () => refuse("too_large", "the body must be at most 1024 bytes"),
});

homeRoutes.get("/rooms", async (c) => {
  // The hub writes the HomeRoomsResponse itself, from the copies it keeps as JSON.
  return c.body(await hub(c).listRooms(c.get("user").id), 200, { "Content-Type": "application/json" });
});

homeRoutes.get("/search", async (c) => {
  const typed = orRefuse(checkSearchText(c.req.query("q"))).value;
  const { limit } = orRefuse(checkPageQuery(c.req.query(), PAGES.search)).value;
  const { ok: _, ...page } = orRefuse(await hub(c).search(c.get("user").id, typed, limit));
  return c.json(page satisfies MySearchPage);
});

homeRoutes.get("/ws", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    refuse("upgrade_required", "this endpoint takes a WebSocket upgrade");
  }
  const { user, expiresAt, sessionId } = c.get("session");
  const subprotocol = offeredSubprotocols(c.req.raw).includes(PROTOCOL);
  return hub(c).fetch(toHubConnectRequest({ user, subprotocol, expiresAt, ...(sessionId === undefined ? {} : { sessionId }) }));
});

/** Leaves (hides) a direct conversation: off the home until reopened, or written in if the person chose so. */
homeRoutes.delete("/rooms/:room", async (c) => {
  const roomId = orRefuse(checkRoomId(c.req.param("room"))).value;
  orRefuse(await hub(c).hideRoom(roomId));
  return c.body(null, 204);
});

homeRoutes.get("/blocked", async (c) => {
  const body: BlockedList = { blocked: await hub(c).blocked() };
  return c.json(body);
});

homeRoutes.put("/blocked/:userId", smallBody, async (c) => {
  const other = orRefuse(checkUserId(c.req.param("userId"))).value;
  if (other === c.get("user").id) refuse("bad_message", "you cannot block yourself");
  const { name } = orRefuse(checkBlockRequest(await jsonBody(c))).value;
  orRefuse(await hub(c).block(c.get("user").id, other, name));
  return c.body(null, 204);
});

homeRoutes.delete("/blocked/:userId", async (c) => {
  const other = orRefuse(checkUserId(c.req.param("userId"))).value;
  if (!(await hub(c).unblock(c.get("user").id, other))) refuse("not_found", "you have not blocked that person");
  return c.body(null, 204);
});

homeRoutes.get("/settings", async (c) => {
  const body: ConversationSettings = await hub(c).settings();
  return c.json(body);
});

homeRoutes.put("/settings", smallBody, async (c) => {
  const settings = orRefuse(checkConversationSettings(await c.req.json<unknown>().catch(() => undefined))).value;
  await hub(c).saveSettings(settings);
  return c.json(settings);
});
