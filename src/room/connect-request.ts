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
}

const HEADER = "X-Edge-Chat-Connect";

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
