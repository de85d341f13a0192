import { LIMITS } from "../../protocol";
import type { Connection } from "../../shared/connection";

/**
 * Refused frames (over the rate limit, malformed, an early `who`) with no message accepted in
 * between before the connection is closed as abusive. A client we wrote never earns one; a
 * buggy or hostile one is told ten times, then cut off, so it cannot keep the room busy
 * answering it.
 */
export const MAX_STRIKES = 10;
/** A user's typing notices are passed on at most this often; the rest carry no news. */
const TYPING_INTERVAL_MS = 1000;
/** Typing notices one connection may send per window: eight times what our client sends, so more is a flood. */
const TYPING_FLOOD = { frames: (8 * 5000) / LIMITS.typingEveryMs, windowMs: 5000 };

/** What to do with a typing notice: pass it on, drop it as no news, or close its flooding connection. */
export type TypingVerdict = "pass" | "quiet" | "flood";

/**
 * The room's judgement of misbehaving connections: strikes for frames refused after a warning,
 * and typing floods. Strikes live on the connection's attachment, so they outlast hibernation;
 * typing counts live here, since a flood is never idle long enough for the room to hibernate.
 */
export class AbusePolicy {
  private readonly lastTyping = new Map<string, number>();
  private readonly typingBursts = new Map<string, { since: number; count: number }>();
  private readonly lastWho = new Map<string, number>();

  constructor(private readonly whoIntervalMs: number) {}

  /** Counts a refusal against the connection (the caller saves its attachment); true once it has struck out. */
  strike(connection: Connection): boolean {
    connection.strikes += 1;
    return connection.strikes >= MAX_STRIKES;
  }

  /** An accepted frame wipes the slate; true when there was something to wipe (the attachment must be saved). */
  forgive(connection: Connection): boolean {
    if (connection.strikes === 0) return false;
    connection.strikes = 0;
    return true;
  }

  typing(connection: Connection, now: number): TypingVerdict {
    const burst = this.typingBursts.get(connection.connId);
    if (!burst || now - burst.since > TYPING_FLOOD.windowMs) {
      this.typingBursts.set(connection.connId, { since: now, count: 1 });
    } else if (++burst.count > TYPING_FLOOD.frames) {
      return "flood";
    }
    const userId = connection.user.id;
    if (now - (this.lastTyping.get(userId) ?? 0) < TYPING_INTERVAL_MS) return "quiet";
    this.lastTyping.set(userId, now);
    return "pass";
  }

  /**
   * How long until this connection may ask `who` again, or 0 if now. In a room of 200 each
   * answer is about 20 KB for a 14-byte question, and the runtime buffers what it sends without
   * limit (workerd has no bufferedAmount to read): unpaced, a flood of them grew the local
   * runtime to 15 GB. Presence frames keep a client's list current between answers.
   */
  whoWait(connection: Connection, now: number): number {
    const last = this.lastWho.get(connection.connId);
    if (last !== undefined && now - last < this.whoIntervalMs) return last + this.whoIntervalMs - now;
    this.lastWho.set(connection.connId, now);
    return 0;
  }

  /** A message ends its sender's "is typing": their next keystroke must be passed on. */
  spoke(userId: string): void {
    this.lastTyping.delete(userId);
  }

  /** Forgets a closed connection; `wentOffline` when it was its user's last. */
  forget(connection: Connection, wentOffline: boolean): void {
    this.typingBursts.delete(connection.connId);
    this.lastWho.delete(connection.connId);
    if (wentOffline) this.lastTyping.delete(connection.user.id);
  }
}
