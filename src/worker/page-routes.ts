import { Hono } from "hono";
import { checkRoomId } from "../protocol";
import type { AppEnv } from "./app-env";

/** Page routes the static assets cannot express on their own. */
export const pageRoutes = new Hono<AppEnv>();

/** Every room shares one page, static/room.html; its script reads the room from the URL. */
pageRoutes.get("/r/:room", async (c) => {
  if (!checkRoomId(c.req.param("room")).ok) return c.redirect("/", 302);
  return c.env.ASSETS.fetch(new Request(new URL("/room", c.req.url)));
});
