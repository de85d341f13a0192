import type { PresenceFrame, UserRef } from "../protocol";

/** What the room keeps on each socket (its attachment), so it survives hibernation. */
export interface Connection {
  connId: string;
  user: UserRef;
  connectedAt: number;
  /** When the room last heard a frame from this socket, kept coarsely (see ChatRoom.heard). Pings are tracked by the runtime. */
  lastHeardAt: number;
  /** Frames refused for rate limiting since this connection last had a message accepted. */
  strikes: number;
}

/** All the online index reads from a socket: what the room attached to it. */
interface AttachedSocket {
  deserializeAttachment(): unknown;
}

/**
 * Which users have open connections. The sockets are the truth; this index is derived from
 * their attachments once per wake-up (reading every socket is what hibernation makes costly)
 * and kept current as connections open and close.
 */
export class OnlineIndex {
  private byUser?: Map<string, Set<string>>;

  constructor(private readonly sockets: () => AttachedSocket[]) {}

  /** Records a new connection; true when it is the user's first, i.e. they just came online. */
  add(connection: Connection): boolean {
    const ids = this.connectionsOf(connection.user.id);
    ids.add(connection.connId);
    return ids.size === 1;
  }

  /**
   * Forgets a connection; true when the user has no other, i.e. they just went offline. A
   * second report of the same close (error then close) is false, so nobody leaves twice.
   */
  remove(connection: Connection): boolean {
    const rebuilt = this.byUser === undefined;
    const index = this.index();
    const ids = index.get(connection.user.id);
    const known = ids?.delete(connection.connId) ?? false;
    // After a wake-up the closing socket may already be gone from the list we rebuilt from.
    if (!known && !rebuilt) return false;
    if (ids && ids.size > 0) return false;
    index.delete(connection.user.id);
    return true;
  }

  isOnline(userId: string): boolean {
    return (this.index().get(userId)?.size ?? 0) > 0;
  }

  /** How many users are online (a user with several tabs counts once). */
  get size(): number {
    return this.index().size;
  }

  private connectionsOf(userId: string): Set<string> {
    const index = this.index();
    let ids = index.get(userId);
    if (!ids) {
      ids = new Set();
      index.set(userId, ids);
    }
    return ids;
  }

  private index(): Map<string, Set<string>> {
    if (!this.byUser) {
      this.byUser = new Map();
      for (const socket of this.sockets()) {
        const connection = socket.deserializeAttachment() as Connection | null;
        if (!connection) continue;
        let ids = this.byUser.get(connection.user.id);
        if (!ids) this.byUser.set(connection.user.id, (ids = new Set()));
        ids.add(connection.connId);
      }
    }
    return this.byUser;
  }
}

/** About how many presence deliveries a second a mass arrival may cost, in a room of any size (presenceWindowMs). */
export const PRESENCE_DELIVERIES_PER_SECOND = 5000;
const MIN_WINDOW_MS = 50;
const MAX_WINDOW_MS = 5000;

/**
 * How long joins and leaves are collected before they go out in one frame, for a room with
 * `online` users. Every frame goes to everyone online, so with a fixed window a mass arrival
 * (a deploy closes every socket and the whole room reconnects) costs online² / window
 * deliveries: 5,000 members coming back over 10 s in 50 ms batches would be 500,000 frames,
 * ten seconds of the room's fan-out. A window that grows with the room keeps presence near
 * PRESENCE_DELIVERIES_PER_SECOND up to 25,000 online, far more than one object serves; rooms
 * of up to 250 keep 50 ms, and a room of 5,000 hears of arrivals within a second.
 */
export function presenceWindowMs(online: number): number {
  return Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, (online * 1000) / PRESENCE_DELIVERIES_PER_SECOND));
}

/**
 * Collects joins and leaves for a moment and announces them in one frame (see
 * presenceWindowMs for how long). A leave followed by a join within the batch (a page reload)
 * cancels out and announces nothing.
 */
export class PresenceBatcher {
  private readonly pending = new Map<string, { user: UserRef; online: boolean }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly windowMs: () => number,
    private readonly publish: (frame: PresenceFrame) => void,
  ) {}

  joined(user: UserRef): void {
    this.change(user, true);
  }

  left(user: UserRef): void {
    this.change(user, false);
  }

  private change(user: UserRef, online: boolean): void {
    const earlier = this.pending.get(user.id);
    if (earlier && earlier.online !== online) this.pending.delete(user.id);
    else this.pending.set(user.id, { user, online });
    // The timer holds the room awake for the batch only; it is never left pending while idle.
    this.timer ??= setTimeout(() => this.flush(), this.windowMs());
  }

  private flush(): void {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const frame: PresenceFrame = { type: "presence", joined: [], left: [] };
    for (const { user, online } of this.pending.values()) (online ? frame.joined : frame.left).push(user);
    this.pending.clear();
    this.publish(frame);
  }
}
