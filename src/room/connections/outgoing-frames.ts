import type { ErrorCode, ErrorFrame, ServerFrame } from "../../protocol";
import { trySend } from "../../shared/held-frames";

/** Sends one frame at once (not held for a write): answers that store nothing. */
export function send(ws: WebSocket, frame: ServerFrame): void {
  trySend(ws, JSON.stringify(frame));
}

export function sendError(ws: WebSocket, error: { code: ErrorCode; message: string; retryAfterMs?: number; id?: string }): void {
  const frame: ErrorFrame = { type: "error", code: error.code, message: error.message };
  if (error.retryAfterMs !== undefined) frame.retryAfterMs = error.retryAfterMs;
  if (error.id !== undefined) frame.id = error.id;
  send(ws, frame);
}
