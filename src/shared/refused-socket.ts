import { CloseCode, PROTOCOL, type ErrorFrame, type Failure } from "../protocol";

/**
 * Answers a WebSocket upgrade that must be refused by accepting it just long enough to say why
 * and close with an application code (4001, 4003): a browser learns nothing from a failed
 * handshake, so this is the only way it can tell "sign in again" or "no entry" from a network
 * failure. A browser that offered a subprotocol fails the handshake unless the answer names one.
 */
export function refuseWebSocket(closeCode: number, error: ErrorFrame, offeredProtocol: boolean): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  server.send(JSON.stringify(error));
  server.close(closeCode, error.message.slice(0, 120));
  const headers = offeredProtocol ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined;
  return new Response(null, { status: 101, webSocket: client, headers });
}

/**
 * Refuses an upgrade with the close code a client acts on: 4001 (sign in again) for a token,
 * 4008 (wait, then try again) for a cap, 4003 (no entry) for everything else.
 */
export function refuseEntry(refusal: Pick<Failure, "code" | "message">, offeredProtocol: boolean): Response {
  const closeCode =
    refusal.code === "invalid_token" ? CloseCode.InvalidToken : refusal.code === "too_many_connections" || refusal.code === "rate_limited" ? CloseCode.Abuse : CloseCode.Forbidden;
  return refuseWebSocket(closeCode, { type: "error", code: refusal.code, message: refusal.message }, offeredProtocol);
}
