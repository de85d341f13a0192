import { Hono, type Context } from "hono";
import { toHubConnectRequest } from "../hub/user-hub";
import { PROTOCOL, type HomeRoomsResponse } from "../protocol";
import type { AppEnv } from "./app-env";
import { offeredSubprotocols } from "../auth";
import { refuse } from "./api-exception";

/** The signed-in user's own things: their rooms, and the home socket that keeps the list live. */
export const homeRoutes = new Hono<AppEnv>();

function hub(c: Context<AppEnv>) {
  return c.env.HUBS.get(c.env.HUBS.idFromName(c.get("user").id));
}

homeRoutes.get("/rooms", async (c) => {
  const body: HomeRoomsResponse = { rooms: await hub(c).listRooms(c.get("user").id) };
  return c.json(body);
});

homeRoutes.get("/ws", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    refuse("upgrade_required", "this endpoint takes a WebSocket upgrade");
  }
  const { user, expiresAt, sessionId } = c.get("session");
  const subprotocol = offeredSubprotocols(c.req.raw).includes(PROTOCOL);
  return hub(c).fetch(toHubConnectRequest({ user, subprotocol, expiresAt, ...(sessionId === undefined ? {} : { sessionId }) }));
});
