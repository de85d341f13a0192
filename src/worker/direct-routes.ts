import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { readAuthConfig } from "../config";
import { checkDirectRequest } from "../protocol";
import type { AppEnv } from "./app-env";
import { hubOf } from "./hub-stub";
import { orRefuse, refuse } from "./api-exception";

/** `POST /api/dm`: one-to-one conversations, rooms of exactly two people. */
export const directRoutes = new Hono<AppEnv>();

const smallBody = bodyLimit({
  maxSize: 1024,
  onError: () => refuse("too_large", "a conversation request must be at most 1024 bytes"),
});

directRoutes.post("/", smallBody, async (c) => {
  const other = orRefuse(checkDirectRequest(await c.req.json<unknown>().catch(() => undefined))).value.user;
  const user = c.get("user");
  if (other === user.id) refuse("bad_message", "a conversation needs someone else");
  const roomId = await directRoomId(user.id, other, readAuthConfig(c.env).secret);
  const hub = hubOf(c.env, user.id);
  const opened = orRefuse(await hub.openDirect(user, other, roomId));
  return c.json({ room: opened.room });
});

/**
 * The same id whoever of the two starts it, and one nobody else can work out: an HMAC of both
 * ids under the session secret. (Rotating JWT_SECRET would give new pairs new rooms; the hubs
 * keep finding the old ones for people who already talk, by their index.)
 */
export async function directRoomId(a: string, b: string, secret: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const pair = [a, b].sort().join("\n");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`direct\n${pair}`)));
  const base64url = btoa(String.fromCharCode(...mac.subarray(0, 16))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `dm-${base64url}`;
}
