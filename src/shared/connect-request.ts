import type { UserRef } from "../protocol";

/**
 * What the Worker tells the room when it forwards a WebSocket upgrade it has authenticated.
 * The room is reachable only through the Worker, so it trusts this; the Worker builds the
 * request afresh, so nothing a client sent can pose as it.
 */
export interface ConnectRequest {
  roomId: string;
  user: UserRef;
  /** When the token the connection opened with expires (ms); the room closes it then, unless renewed in-band. */
  expiresAt: number;
  /** Resume: the last seq the client saw. */
  after?: number;
  /** The invite the client presented, already verified by the Worker as signed for this room. */
  inviteId?: string;
  /** Whether the client offered the edge-chat subprotocol, which the response must then name. */
  subprotocol: boolean;
  /** Set when the room placed the connection on one of its fan-out shards, for that shard. */
  shard?: number;
  /** The client reads `batch` frames (`?batch=1`). */
  batch?: boolean;
}

const HEADER = "X-Edge-Chat-Connect";
const SHARD_HEADER = "X-Edge-Chat-Shard";

// Header values are ASCII; names are not, so the JSON travels percent-encoded.

export function toConnectRequest(connect: ConnectRequest): Request {
  return new Request("https://room.internal/connect", {
    headers: { Upgrade: "websocket", [HEADER]: encodeURIComponent(JSON.stringify(connect)) },
  });
}

export function fromConnectRequest(request: Request): ConnectRequest | undefined {
  const header = request.headers.get(HEADER);
  if (!header || request.headers.get("Upgrade") !== "websocket") return undefined;
  return JSON.parse(decodeURIComponent(header)) as ConnectRequest;
}

/**
 * The room's answer to an upgrade it wants held by one of its fan-out shards: the Worker
 * forwards the same upgrade there (src/worker/room-routes.ts). Not a 101, so it can never reach
 * a client as if it were one.
 */
export function toShardRedirect(shard: number): Response {
  return new Response(null, { status: 204, headers: { [SHARD_HEADER]: String(shard) } });
}

export function shardOf(response: Response): number | undefined {
  const shard = response.headers.get(SHARD_HEADER);
  return shard === null ? undefined : Number(shard);
}
