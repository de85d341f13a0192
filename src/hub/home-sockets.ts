import { CloseCode, type HomeFrame } from "../protocol";
import type { AlarmPart, AlarmSchedule } from "../shared/alarm-schedule";

/** What a hub keeps on each home socket (its attachment), so it survives hibernation. */
export interface HomeConnection {
  /** When the token the socket opened with expires (ms): the socket closes then, as a room's does. */
  expiresAt: number;
  /** The session it was opened in; signing that session out closes it. */
  sessionId?: string;
}

const EXPIRED = "your session expired; sign in again";
const SIGNED_OUT = "this session was signed out";

/**
 * The sockets of one person's open home pages: at most HOME_SOCKETS_PER_USER of them, each
 * closed with 4001 when its token expires or its session is signed out. The runtime holds them
 * (hibernation); this is only their bookkeeping.
 */
export class HomeSockets implements AlarmPart {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly alarms: AlarmSchedule,
  ) {}

  /** The open ones: a closing socket lingers in the runtime's list until its close is handled. */
  open(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  async accept(ws: WebSocket, connection: HomeConnection): Promise<void> {
    this.ctx.acceptWebSocket(ws);
    ws.serializeAttachment(connection);
    await this.alarms.dueBy(connection.expiresAt);
  }

  /** Sends a frame to every open home socket; says whether there was one. */
  broadcast(frame: HomeFrame): boolean {
    const text = JSON.stringify(frame);
    let sent = false;
    for (const ws of this.open()) {
      try {
        ws.send(text);
        sent = true;
      } catch {
        // Closing; webSocketClose follows.
      }
    }
    return sent;
  }

  /** Sign-out: that session's home pages close at once, as if their token had expired. */
  endSession(sessionId: string): void {
    for (const ws of this.open()) {
      if ((ws.deserializeAttachment() as HomeConnection | null)?.sessionId === sessionId) close(ws, SIGNED_OUT);
    }
  }

  /** Closes the sockets whose token has expired; due again at the next expiry. */
  run(now: number): number | undefined {
    let next: number | undefined;
    for (const ws of this.open()) {
      const expiresAt = (ws.deserializeAttachment() as HomeConnection | null)?.expiresAt;
      if (expiresAt === undefined) continue;
      if (expiresAt <= now) close(ws, EXPIRED);
      else if (next === undefined || expiresAt < next) next = expiresAt;
    }
    return next;
  }
}

/** The reason says why; a home socket carries only home frames, so no error frame goes first. */
function close(ws: WebSocket, reason: string): void {
  try {
    ws.close(CloseCode.InvalidToken, reason);
  } catch {
    // Already closing.
  }
}
