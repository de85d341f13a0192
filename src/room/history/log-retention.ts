import { logError } from "../../log-lines";
import type { AlarmPart, AlarmSchedule } from "../../shared/alarm-schedule";
import type { RoomHooks } from "../lifecycle/room-hooks";
import type { MessageLog } from "./message-log";

/** Rows read per step while looking for the newest message past retention, and steps per alarm: a year of backlog is pruned over several alarms, not in one long turn. */
const STEP_ROWS = 500;
const STEPS_PER_RUN = 20;
/** How soon an alarm that stopped at its share comes back for the rest. */
const CONTINUE_AFTER_MS = 1000;

/**
 * HISTORY_RETENTION_DAYS: messages older than it are deleted, with every entry before them
 * (their edits, reactions, files and search entries go with them, by the `gone` hook). The
 * room's alarm does it, and comes back when the oldest message kept falls due. Messages are
 * stored in time order (the room stamps them), so the walk from the oldest stops at the first
 * one still young enough.
 */
export class LogRetention implements AlarmPart {
  /** Whether the alarm is known to come for the oldest message; asked once per wake-up. */
  private scheduled = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly retentionMs: number | undefined,
    private readonly log: Pick<MessageLog, "forgetThrough">,
    private readonly alarms: Pick<AlarmSchedule, "dueBy">,
    hooks: RoomHooks,
  ) {
    if (retentionMs === undefined) return;
    // Once per wake-up, so a room nobody writes in any more is pruned too; then by the first message of an empty room.
    this.schedule();
    hooks.stored.on(({ entry }) => {
      if (entry.type === "message" && !this.scheduled) this.schedule();
    });
  }

  private schedule(): void {
    const oldest = this.oldestTs();
    if (oldest === undefined || this.retentionMs === undefined) return;
    this.scheduled = true;
    this.alarms.dueBy(oldest + this.retentionMs).catch((error: unknown) => {
      this.scheduled = false;
      logError("room.retention_unscheduled", error, {});
    });
  }

  run(now: number): number | undefined {
    if (this.retentionMs === undefined) return undefined;
    const cutoff = now - this.retentionMs;
    let through: number | undefined;
    let from = 0;
    for (let step = 0; step < STEPS_PER_RUN; step++) {
      const rows = this.sql.exec<{ seq: number; ts: number }>("SELECT seq, ts FROM messages WHERE kind = 'message' AND deleted = 0 AND seq > ? ORDER BY seq LIMIT ?", from, STEP_ROWS).toArray();
      const old = rows.findIndex((row) => row.ts >= cutoff);
      // Up to the first message still kept, once one is old: the changes between them changed old messages.
      if (old > 0 || (old === 0 && through !== undefined)) through = rows[old]!.seq - 1;
      else if (old === -1 && rows.length > 0) through = rows.at(-1)!.seq;
      if (old !== -1 || rows.length < STEP_ROWS) {
        if (through !== undefined) this.log.forgetThrough(through);
        const oldest = this.oldestTs();
        this.scheduled = oldest !== undefined;
        return oldest === undefined ? undefined : oldest + this.retentionMs;
      }
      from = rows.at(-1)!.seq;
    }
    // Its share done: the rest on the next alarm, a second from now.
    if (through !== undefined) this.log.forgetThrough(through);
    this.scheduled = true;
    return now + CONTINUE_AFTER_MS;
  }

  private oldestTs(): number | undefined {
    return this.sql.exec<{ ts: number }>("SELECT ts FROM messages WHERE kind = 'message' AND deleted = 0 ORDER BY seq LIMIT 1").toArray()[0]?.ts;
  }
}
