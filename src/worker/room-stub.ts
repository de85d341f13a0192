import type { Context } from "hono";
import type { Failure } from "../protocol";
import { orRefuse } from "./api-exception";
import type { AppEnv } from "./app-env";

/** A route under `/api/rooms/:room`, with the room's id checked. */
export type RoomEnv = AppEnv & { Variables: { roomId: string } };

export function room(c: Context<RoomEnv>, id = c.get("roomId")) {
  return c.env.ROOMS.get(c.env.ROOMS.idFromName(id));
}

/** Answers with what the room said: its result as JSON, or its refusal thrown for app.onError. */
export function reply(c: Context, result: { ok: true } | Failure): Response {
  const { ok: _, ...body } = orRefuse(result);
  return c.json(body);
}

/** Answers 204 for a room's success that has nothing to say; its refusal is thrown as reply's. */
export function noContent(c: Context, result: { ok: true } | Failure): Response {
  orRefuse(result);
  return c.body(null, 204);
}
