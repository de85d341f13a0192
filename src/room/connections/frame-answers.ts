import type { RoomConfig } from "../../config";
import type { Env } from "../../env";
import { logError, type LogFields } from "../../log";
import { CloseCode, type AckFrame, type ChangeFrame, type OutgoingMessage, type SendFrame, type UpdateFrame } from "../../protocol";
import type { AbusePolicy } from "./abuse-policy";
import { trySend, type HeldFrames } from "../../shared/held-frames";
import type { LogEntry } from "../history/log-entries";
import type { MemberRoster } from "../membership/member-roster";
import type { MessageIntake } from "../history/message-intake";
import { send, sendError } from "./outgoing-frames";
import type { Connection } from "../../shared/connection";
import { failure, type RoomFailure } from "../room-failure";
import { renewedExpiry } from "./token-renewal";

/** What the answers need of the room object: delivery, its sockets, and its log lines. */
export interface RoomOutlet {
  deliver(entry: LogEntry, sender?: WebSocket): void;
  disconnect(ws: WebSocket): void;
  broadcast(frame: string, except?: WebSocket): void;
  note(event: string, fields: LogFields): void;
  roomId(): string | undefined;
}

/**
 * How the room answers each frame a socket sends: sends and changes once stored (in group
 * commits), `who`, `typing` and `auth`, and the strikes that close a connection that keeps
 * sending what is refused (abuse-policy.ts).
 */
export class FrameAnswers {
  constructor(
    private readonly env: Env,
    private readonly config: RoomConfig,
    private readonly intake: MessageIntake,
    private readonly abuse: AbusePolicy,
    private readonly held: HeldFrames,
    private readonly roster: MemberRoster,
    private readonly room: RoomOutlet,
  ) {}

  /**
   * Stores a queued `send` or change and answers it. A socket that closed while its frame
   * waited (its client left, or we closed it for abuse or removal) gets nothing stored: an
   * unacknowledged frame is resent by its client on reconnecting, and judged again then.
   */
  stored(ws: WebSocket, frame: SendFrame | ChangeFrame): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    // Read now, not when the frame arrived: an earlier frame in the batch may have struck it.
    const connection = ws.deserializeAttachment() as Connection;
    try {
      if (frame.type === "send") this.answerSend(ws, connection, frame);
      else this.answerChange(ws, connection, frame);
    } catch (error) {
      logError("room.message_failed", error, { room: this.room.roomId(), user: connection.user.id });
      sendError(ws, { code: "internal", message: "the server could not store that; send it again", id: frame.id });
    }
  }

  private answerSend(ws: WebSocket, connection: Connection, message: OutgoingMessage): void {
    const result = this.intake.store(connection.user, message, Date.now());
    if (!result.ok) return this.strike(ws, connection, { ...result, id: message.id });
    this.acknowledge(ws, connection, message.id, result.message);
    if (result.created) {
      this.abuse.spoke(connection.user.id);
      this.room.deliver(result.message, ws);
    }
  }

  private answerChange(ws: WebSocket, connection: Connection, change: ChangeFrame): void {
    const result = this.intake.change(connection.user, change, Date.now());
    if (!result.ok) return this.strike(ws, connection, { ...result, id: change.id });
    this.acknowledge(ws, connection, change.id, result, result.update);
    if (result.update && result.created) this.room.deliver(result.update, ws);
  }

  /** The ack goes out with the frames of the same write, once it is durable. */
  private acknowledge(ws: WebSocket, connection: Connection, id: string, stored: { seq: number; ts: number }, update?: UpdateFrame): void {
    if (this.abuse.forgive(connection)) ws.serializeAttachment(connection);
    const ack: AckFrame = { type: "ack", id, seq: stored.seq, ts: stored.ts };
    // The changer's socket is not sent the update; it learns what changed from its ack.
    if (update) ack.update = update;
    this.held.hold(ws, JSON.stringify(ack));
  }

  /** Refuses a frame and counts it against the connection, closing it once it has struck out (abuse-policy.ts). */
  strike(ws: WebSocket, connection: Connection, refusal: RoomFailure & { id?: string }): void {
    const out = this.abuse.strike(connection);
    if (connection.strikes === 1) this.room.note(refusal.code === "rate_limited" ? "room.rate_limited" : "room.refused_frame", { user: connection.user.id, code: refusal.code });
    if (out) return this.closeAbusive(ws, connection, "too many refused frames after being told why");
    ws.serializeAttachment(connection);
    sendError(ws, refusal);
  }

  who(ws: WebSocket, connection: Connection, now: number): void {
    const wait = this.abuse.whoWait(connection, now);
    if (wait > 0) {
      const seconds = this.config.whoIntervalMs / 1000;
      return this.strike(ws, connection, { ...failure(429, "rate_limited", `at most one "who" per ${seconds} s`), retryAfterMs: wait });
    }
    trySend(ws, this.roster.frame(now));
  }

  private closeAbusive(ws: WebSocket, connection: Connection, why: string): void {
    this.room.note("room.closed_abusive", { user: connection.user.id });
    sendError(ws, { code: "rate_limited", message: why });
    ws.close(CloseCode.Abuse, why);
    this.room.disconnect(ws);
  }

  /**
   * A fresh token for an open connection, so a long session outlives the token it opened with.
   * It must name the same person; a refusal is a strike, as any refused frame.
   */
  async auth(ws: WebSocket, connection: Connection, token: string): Promise<void> {
    const expiresAt = await renewedExpiry(this.env, connection.user.id, token);
    if (typeof expiresAt !== "number") return this.strike(ws, connection, expiresAt);
    connection.expiresAt = expiresAt;
    ws.serializeAttachment(connection);
    send(ws, { type: "auth", expiresAt });
  }

  typing(ws: WebSocket, connection: Connection): void {
    const verdict = this.abuse.typing(connection, Date.now());
    if (verdict === "flood") return this.closeAbusive(ws, connection, "too many typing notices");
    if (verdict === "pass") this.room.broadcast(JSON.stringify({ type: "typing", user: connection.user }), ws);
  }
}
