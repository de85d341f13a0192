/**
 * How the room ends its half of a socket, and which errors at the end are not errors. Both
 * start from what partyserver (Cloudflare's PartyKit server) learned in production:
 * https://github.com/cloudflare/partykit/blob/main/packages/partyserver/src/index.ts
 */

const CLOSING = 2;
const CLOSED = 3;

/**
 * The code to answer a peer's close with, or undefined when there is nothing to answer. The
 * Hibernation API leaves the reply to us (without one, clients sit in CLOSING and then report
 * 1006: https://developers.cloudflare.com/durable-objects/api/base/#websocketclose).
 * - 1006 and 1015 are what the runtime reports when no close frame came at all: the transport is
 *   gone, and a reply would fail later, asynchronously, as an unhandled "Network connection lost".
 * - 1005 is a close frame that carried no code. partyserver skips it too, but a peer did send it
 *   and waits for our reply: without one, a client that closes that way (Node's ws, by default)
 *   hung in CLOSING, and resuming in the benchmark took twice as long. It may not be sent back,
 *   so 1000 answers it.
 */
export function replyCloseCode(code: number): number | undefined {
  if (code === 1006 || code === 1015) return undefined;
  return code === 1005 ? 1000 : code;
}

/**
 * Whether an error on a socket is its transport going away during or just after the close
 * handshake: retryable (or, in older runtimes' wording, "Network connection lost" or "WebSocket
 * peer disconnected") on a socket already closing or closed. Logging those would log every
 * abrupt disconnect; an error on an open socket is always logged.
 */
export function isBenignTeardownError(ws: { readyState?: number }, error: unknown): boolean {
  if (ws.readyState !== CLOSING && ws.readyState !== CLOSED) return false;
  if (typeof error !== "object" || error === null) return false;
  const { retryable, message } = error as { retryable?: unknown; message?: unknown };
  if (retryable === true) return true;
  return typeof message === "string" && /Network connection lost|WebSocket peer disconnected/i.test(message);
}

/** Answers a client's close as replyCloseCode says; a socket already closed from this side is left alone. */
export function answerClose(ws: WebSocket, code: number, reason: string): void {
  const reply = replyCloseCode(code);
  if (reply === undefined) return;
  try {
    ws.close(reply, reason);
  } catch {
    // Already closed from this side.
  }
}
