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

/**
 * Which users have open connections. The sockets are the truth; this index is derived from
 * their attachments once per wake-up (reading every socket is what hibernation makes costly)
 * and kept current as connections open and close.
 */
export class OnlineIndex {
  private byUser?: Map<string, Set<string>>;

  constructor(private readonly sockets: () => WebSocket[]) {}

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

/**
 * Collects joins and leaves for a moment and announces them in one frame. When a whole room
 * reconnects at once (a deploy closes every socket), announcing each arrival to everyone would
 * cost N² frames; batched, it costs a few frames per member. A leave followed by a join within
 * the batch (a page reload) cancels out and announces nothing.
 */
export class PresenceBatcher {
  private readonly pending = new Map<string, { user: UserRef; online: boolean }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: number,
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
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
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
