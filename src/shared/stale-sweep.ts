import type { AlarmPart, AlarmSchedule } from "./alarm-schedule";
import type { Connection } from "./connection";

export interface SweptSocket {
  ws: WebSocket;
  connection: Connection;
  why: "silent" | "expired";
}

/**
 * Closes sockets that have gone silent: a client that vanished without a close frame (a
 * laptop lid, a dropped network) raises no event, and would otherwise stay "online" for
 * ever. Clients ping every 25 s; the runtime answers without waking the object and records when.
 * It is due only while sockets are open, so an empty room still costs nothing.
 */
export class StaleSweep implements AlarmPart {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly alarms: AlarmSchedule,
    private readonly staleAfterMs: number,
    /** Closes a socket the sweep found silent or expired, and forgets it. */
    private readonly close: (swept: SweptSocket) => void | Promise<void>,
  ) {}

  /** Makes sure a sweep will run; called whenever a socket is accepted. */
  async schedule(): Promise<void> {
    await this.alarms.dueBy(Date.now() + this.staleAfterMs / 2);
  }

  /** Closes the sockets gone silent and those whose token expired without an `auth` frame; due again while others remain. */
  async run(now: number): Promise<number | undefined> {
    let open = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const connection = ws.deserializeAttachment() as Connection | null;
      if (!connection) continue;
      const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (connection.expiresAt !== undefined && connection.expiresAt <= now) await this.close({ ws, connection, why: "expired" });
      else if (now - Math.max(connection.lastHeardAt, pinged) > this.staleAfterMs) await this.close({ ws, connection, why: "silent" });
      else open++;
    }
    return open > 0 ? now + this.staleAfterMs / 2 : undefined;
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
