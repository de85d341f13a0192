import type { UserRef } from "../protocol";

/** What the room keeps on each socket (its attachment), so it survives hibernation. */
export interface Connection {
  connId: string;
  user: UserRef;
  connectedAt: number;
  /** When the connection's token expires (ms); moved on by an `auth` frame. Absent on sockets older than this field. */
  expiresAt?: number;
  /** When the room last heard a frame from this socket, kept coarsely (see StaleSweep.heard). Pings are tracked by the runtime. */
  lastHeardAt: number;
  /** Frames refused (for any reason) since this connection last had a message accepted; enough of them close it (abuse-policy.ts). */
  strikes: number;
  /** The client reads `batch` frames: what the room sends it in one turn may go as one. */
  batch?: boolean;
}
