import type { Connection } from "./connection";

export interface SweptSocket {
  ws: WebSocket;
  connection: Connection;
  why: "silent" | "expired";
}

/**
 * Closes sockets that have gone silent: a client that vanished without a close frame (a
 * laptop lid, a dropped network) raises no event, and would otherwise stay "online" for
 * ever. Clients ping every 25 s; the runtime answers without waking the room and records when.
 * The alarm runs only while sockets are open, so an empty room still costs nothing.
 */
export class StaleSweep {
  /** Whether an alarm is known to be set; after a wake-up we ask storage once. */
  private scheduled = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly staleAfterMs: number,
  ) {}

  /** Makes sure a sweep will run; called whenever a socket is accepted. */
  async schedule(): Promise<void> {
    if (this.scheduled) return;
    this.scheduled = true;
    // Another alarm may be set for later (a file to delete in an hour): the sweep must not wait for it.
    const due = Date.now() + this.staleAfterMs / 2;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  /**
   * The alarm's work: returns the sockets for the room to close, those gone silent and those
   * whose token expired without an `auth` frame, and sets the next alarm while others remain.
   */
  async run(now: number): Promise<SweptSocket[]> {
    this.scheduled = false;
    const stale: SweptSocket[] = [];
    let open = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const connection = ws.deserializeAttachment() as Connection | null;
      if (!connection) continue;
      const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (connection.expiresAt !== undefined && connection.expiresAt <= now) stale.push({ ws, connection, why: "expired" });
      else if (now - Math.max(connection.lastHeardAt, pinged) > this.staleAfterMs) stale.push({ ws, connection, why: "silent" });
      else open++;
    }
    // The alarm that is running is no longer set, so the next one is set without asking.
    if (open > 0) {
      this.scheduled = true;
      await this.ctx.storage.setAlarm(now + this.staleAfterMs / 2);
    }
    return stale;
  }

  /**
   * Notes that a socket spoke. Rewriting the attachment on every frame would cost a
   * serialization per message, so it is refreshed only when a third of the allowed silence has
   * passed: precise enough to never sweep a client that talks but does not ping.
   */
  heard(ws: WebSocket, connection: Connection, now: number): void {
    if (now - connection.lastHeardAt < this.staleAfterMs / 3) return;
    connection.lastHeardAt = now;
    ws.serializeAttachment(connection);
  }
}
