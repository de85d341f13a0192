import type { PresenceFrame, UserRef } from "../../protocol";
import type { Connection } from "../../shared/connection";

/** All the online index reads from a socket: what the room attached to it. */
interface AttachedSocket {
  deserializeAttachment(): unknown;
}

/** A user with open connections, and since when: the connection that brought them online, or after a wake-up the oldest open one. */
export interface OnlineUser {
  user: UserRef;
  since: number;
}

type OnlineEntry = OnlineUser & { connections: Set<string> };

/**
 * Which users have open connections. The sockets are the truth; this index is derived from
 * their attachments once per wake-up (reading every socket is what hibernation makes costly)
 * and kept current as connections open and close.
 */
export class OnlineIndex {
  private byUser?: Map<string, OnlineEntry>;
  /** Open connections of every user together; kept with the index so caps need no socket list. */
  private connectionCount = 0;

  constructor(private readonly sockets: () => AttachedSocket[]) {}

  /** Records a new connection; true when it is the user's first, i.e. they just came online. */
  add(connection: Connection): boolean {
    return this.record(this.index(), connection);
  }

  /**
   * Forgets a connection; true when the user has no other, i.e. they just went offline. A
   * second report of the same close (error then close) is false, so nobody leaves twice.
   */
  remove(connection: Connection): boolean {
    const rebuilt = this.byUser === undefined;
    const index = this.index();
    const entry = index.get(connection.user.id);
    const known = entry?.connections.delete(connection.connId) ?? false;
    if (known) this.connectionCount--;
    // After a wake-up the closing socket may already be gone from the list we rebuilt from.
    if (!known && !rebuilt) return false;
    if (entry && entry.connections.size > 0) return false;
    index.delete(connection.user.id);
    return true;
  }

  isOnline(userId: string): boolean {
    return this.index().has(userId);
  }

  /** How many users are online (a user with several tabs counts once). */
  get size(): number {
    return this.index().size;
  }

  /** How many connections are open, a user's tabs each counted. */
  get connections(): number {
    this.index();
    return this.connectionCount;
  }

  /** How many connections this user has open. */
  connectionsOf(userId: string): number {
    return this.index().get(userId)?.connections.size ?? 0;
  }

  /** Up to `limit` online users, those online longest first. */
  users(limit: number): OnlineUser[] {
    const users: OnlineUser[] = [];
    for (const { user, since } of this.index().values()) {
      if (users.length === limit) break;
      users.push({ user, since });
    }
    return users;
  }

  private record(index: Map<string, OnlineEntry>, connection: Connection): boolean {
    let entry = index.get(connection.user.id);
    if (!entry) {
      entry = { user: connection.user, since: connection.connectedAt, connections: new Set() };
      index.set(connection.user.id, entry);
    }
    // The newest connection's name is the user's latest, as the member list keeps it.
    entry.user = connection.user;
    const before = entry.connections.size;
    entry.connections.add(connection.connId);
    this.connectionCount += entry.connections.size - before;
    return entry.connections.size === 1;
  }

  private index(): Map<string, OnlineEntry> {
    if (!this.byUser) {
      const index = new Map<string, OnlineEntry>();
      this.connectionCount = 0;
      const connections = this.sockets()
        .map((socket) => socket.deserializeAttachment() as Connection | null)
        .filter((connection): connection is Connection => connection !== null)
        .sort((a, b) => a.connectedAt - b.connectedAt);
      for (const connection of connections) this.record(index, connection);
      this.byUser = index;
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
