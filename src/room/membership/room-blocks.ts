import { failure, type Failure, type OutgoingMessage } from "../../protocol";
import type { MemberList } from "./member-list";
import type { RoomRecord } from "./room-record";

const BLOCKED = failure(403, "forbidden", "this person has blocked you: they get no direct messages or mentions from you");

/**
 * Whom this room's members have blocked, as their hubs tell the room (on joining, and whenever
 * the list changes), so that a blocked person cannot reach the one who blocked them here: no
 * direct message in the room, no mention into their counts, nothing in their direct
 * conversation. The hub keeps the list; this is the room's copy of it.
 */
export class RoomBlocks {
  /** Blocker → whom they block; read once per wake-up, when a message first asks. */
  private byBlocker: Map<string, Set<string>> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly room: RoomRecord,
    private readonly members: MemberList,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS blocks (blocker TEXT NOT NULL, blocked TEXT NOT NULL, PRIMARY KEY (blocker, blocked))");
  }

  /** The whole list of someone's blocks, as their hub keeps it. */
  replace(blocker: string, blocked: readonly string[]): void {
    const all = this.all();
    // Hubs send the whole list on every join and home read, almost always unchanged: no write for that.
    const known = all.get(blocker);
    if (known ? known.size === blocked.length && blocked.every((id) => known.has(id)) : blocked.length === 0) return;
    this.sql.exec("DELETE FROM blocks WHERE blocker = ?", blocker);
    for (const id of blocked) this.sql.exec("INSERT OR IGNORE INTO blocks (blocker, blocked) VALUES (?, ?)", blocker, id);
    if (blocked.length > 0) all.set(blocker, new Set(blocked));
    else all.delete(blocker);
  }

  /** A refusal when the message would reach someone who blocked its sender: its recipient, someone it mentions, or the other of a direct conversation. */
  refuse(from: string, message: OutgoingMessage): Failure | undefined {
    const all = this.all();
    if (all.size === 0) return undefined;
    const other = this.room.get()?.direct ? this.members.other(from)?.id : undefined;
    for (const id of [message.to, other, ...(message.mentions ?? [])]) {
      if (id !== undefined && all.get(id)?.has(from)) return BLOCKED;
    }
    return undefined;
  }

  private all(): Map<string, Set<string>> {
    if (!this.byBlocker) {
      this.byBlocker = new Map();
      for (const { blocker, blocked } of this.sql.exec<{ blocker: string; blocked: string }>("SELECT blocker, blocked FROM blocks")) {
        const set = this.byBlocker.get(blocker) ?? new Set<string>();
        set.add(blocked);
        this.byBlocker.set(blocker, set);
      }
    }
    return this.byBlocker;
  }
}
