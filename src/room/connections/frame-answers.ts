import type { RoomConfig } from "../../config";
import type { Env } from "../../env";
import { CloseCode, isChangeKind, parseClientFrame, type AckFrame, type ChangeFrame, type OutgoingMessage, type SendFrame, type UpdateFrame, failure, type Failure } from "../../protocol";
import type { Connection } from "../../shared/connection";
import { trySend } from "../../shared/held-frames";
import type { MessageIntake } from "../history/message-intake";
import type { RoomNotes } from "../lifecycle/room-notes";
import type { MemberRoster } from "../membership/member-roster";
import type { Moderation } from "../membership/moderation";
import type { AbusePolicy } from "./abuse-policy";
import type { Delivery } from "./delivery";
import { GroupCommit } from "./group-commit";
import { send, sendError } from "./outgoing-frames";
import type { RoomSockets } from "./room-sockets";
import { renewedExpiry } from "./token-renewal";

/** A `send` or a change waiting for its turn to be stored (see group-commit.ts). */
interface QueuedWrite {
  ws: WebSocket;
  frame: SendFrame | ChangeFrame;
}

/**
 * How the room answers each frame a connection sends: sends and changes once stored (in group
 * commits), `who`, `typing`, `read` and `auth`, and the strikes that close a connection that
 * keeps sending what is refused (abuse-policy.ts).
 */
export class FrameAnswers {
  private readonly writes: GroupCommit<QueuedWrite>;

  constructor(
    private readonly env: Env,
    private readonly config: RoomConfig,
    private readonly intake: MessageIntake,
    private readonly abuse: AbusePolicy,
    private readonly delivery: Delivery,
    private readonly roster: MemberRoster,
    private readonly moderation: Moderation,
    private readonly sockets: RoomSockets,
    private readonly notes: RoomNotes,
    /** The `read` frame: the same as `POST .../read`. */
    private readonly markRead: (connection: Connection, seq: number) => unknown,
  ) {
    this.writes = new GroupCommit((batch) => {
      for (const { ws, frame } of batch) this.stored(ws, frame);
      this.delivery.release();
    });
  }

  /** A frame from one of the room's own sockets (`local`), or from a connection a shard holds. */
  async answer(ws: WebSocket, data: string | ArrayBuffer, local: boolean): Promise<void> {
    // Frames already on their way when we closed a socket still arrive; a client we cut off
    // must not keep the room busy answering into a closed socket.
    if (ws.readyState !== WebSocket.OPEN) return;
    const connection = ws.deserializeAttachment() as Connection;
    const now = Date.now();
    if (local) this.sockets.heard(ws, connection, now);
    try {
      const frame = parseClientFrame(data);
      if (!frame.ok) return this.strike(ws, connection, { ...failure(400, frame.code, frame.message), id: frame.id });
      if (frame.value.type === "send" || isChangeKind(frame.value.type)) return this.writes.add({ ws, frame: frame.value as SendFrame | ChangeFrame });
      switch (frame.value.type) {
        case "typing":
          return this.typing(ws, connection);
        case "who":
          return this.who(ws, connection, now);
        case "read":
          return void this.markRead(connection, frame.value.seq);
        case "auth":
          return await this.auth(ws, connection, frame.value.token);
      }
    } catch (error) {
      this.notes.error("room.message_failed", error, { user: connection.user.id });
      sendError(ws, { code: "internal", message: "the server could not handle that frame; try again" });
    }
  }

  /** Stores what is queued now, for a write that must come after it (an HTTP post, say). */
  flush(): void {
    this.writes.flush();
  }

  /**
   * Stores a queued `send` or change and answers it. A socket that closed while its frame
   * waited (its client left, or we closed it for abuse or removal) gets nothing stored: an
   * unacknowledged frame is resent by its client on reconnecting, and judged again then.
   */
  private stored(ws: WebSocket, frame: SendFrame | ChangeFrame): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    // Read now, not when the frame arrived: an earlier frame in the batch may have struck it.
    const connection = ws.deserializeAttachment() as Connection;
    try {
      if (frame.type === "send") this.answerSend(ws, connection, frame);
      else this.answerChange(ws, connection, frame);
    } catch (error) {
      this.notes.error("room.message_failed", error, { user: connection.user.id });
      sendError(ws, { code: "internal", message: "the server could not store that; send it again", id: frame.id });
    }
  }

  private answerSend(ws: WebSocket, connection: Connection, message: OutgoingMessage): void {
    const result = this.intake.store(connection.user, message, Date.now(), ws);
    if (!result.ok) return this.strike(ws, connection, { ...result, id: message.id });
    this.acknowledge(ws, connection, message.id, result.message);
    if (result.created) this.abuse.spoke(connection.user.id);
  }

  private answerChange(ws: WebSocket, connection: Connection, change: ChangeFrame): void {
    const result = this.intake.change(connection.user, change, Date.now(), ws);
    if (!result.ok) return this.strike(ws, connection, { ...result, id: change.id });
    this.acknowledge(ws, connection, change.id, result, result.update);
  }

  /** The ack goes out with the frames of the same write, once it is durable. */
  private acknowledge(ws: WebSocket, connection: Connection, id: string, stored: { seq: number; ts: number }, update?: UpdateFrame): void {
    if (this.abuse.forgive(connection)) ws.serializeAttachment(connection);
    const ack: AckFrame = { type: "ack", id, seq: stored.seq, ts: stored.ts };
    // The changer's socket is not sent the update; it learns what changed from its ack.
    if (update) ack.update = update;
    this.delivery.acknowledge(ws, JSON.stringify(ack));
  }

  /** Refuses a frame and counts it against the connection, closing it once it has struck out (abuse-policy.ts). */
  private strike(ws: WebSocket, connection: Connection, refusal: Failure & { id?: string }): void {
    const out = this.abuse.strike(connection);
    if (connection.strikes === 1) this.notes.note(refusal.code === "rate_limited" ? "room.rate_limited" : "room.refused_frame", { user: connection.user.id, code: refusal.code });
    if (out) return this.closeAbusive(ws, connection, "too many refused frames after being told why");
    ws.serializeAttachment(connection);
    sendError(ws, refusal);
  }

  private who(ws: WebSocket, connection: Connection, now: number): void {
    const wait = this.abuse.whoWait(connection, now);
    if (wait > 0) {
      const seconds = this.config.whoIntervalMs / 1000;
      return this.strike(ws, connection, { ...failure(429, "rate_limited", `at most one "who" per ${seconds} s`), retryAfterMs: wait });
    }
    trySend(ws, this.roster.frame(now));
  }

  private closeAbusive(ws: WebSocket, connection: Connection, why: string): void {
    this.notes.note("room.closed_abusive", { user: connection.user.id });
    sendError(ws, { code: "rate_limited", message: why });
    ws.close(CloseCode.Abuse, why);
    this.sockets.disconnect(ws);
  }

  /**
   * A fresh token for an open connection, so a long session outlives the token it opened with.
   * It must name the same person; a refusal is a strike, as any refused frame.
   */
  private async auth(ws: WebSocket, connection: Connection, token: string): Promise<void> {
    const renewed = await renewedExpiry(this.env, connection.user.id, token);
    if (!renewed.ok) return this.strike(ws, connection, renewed);
    connection.expiresAt = renewed.expiresAt;
    ws.serializeAttachment(connection);
    send(ws, { type: "auth", expiresAt: renewed.expiresAt });
  }

  private typing(ws: WebSocket, connection: Connection): void {
    const now = Date.now();
    // Mute silences all of a person's voice in the room; their page may still send notices.
    if (this.moderation.mutedUntil(connection.user.id, now) !== undefined) return;
    const verdict = this.abuse.typing(connection, now);
    if (verdict === "flood") return this.closeAbusive(ws, connection, "too many typing notices");
    if (verdict === "pass") this.sockets.broadcast(JSON.stringify({ type: "typing", user: connection.user }), ws);
  }
}
