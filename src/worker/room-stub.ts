import type { Context } from "hono";
import type { RoomFailure } from "../room/room-failure";
import type { AppEnv } from "./app-env";
import { jsonError } from "./http-error";

/** A route under `/api/rooms/:room`, with the room's id checked. */
export type RoomEnv = AppEnv & { Variables: { roomId: string } };

export function room(c: Context<RoomEnv>, id = c.get("roomId")) {
  return c.env.ROOMS.get(c.env.ROOMS.idFromName(id));
}

/** Answers with what the room said: its error as the API's error, or its result as JSON. */
export function reply(c: Context, result: { ok: true } | RoomFailure): Response {
  if (!result.ok) return jsonError(c, result.status, result.code, result.message, { retryAfterMs: result.retryAfterMs });
  const { ok: _, ...body } = result;
  return c.json(body);
}

/** Answers 204 for a room's success that has nothing to say, or its error as the API's error. */
export function noContent(c: Context, result: { ok: true } | RoomFailure): Response {
  return result.ok ? c.body(null, 204) : reply(c, result);
}
