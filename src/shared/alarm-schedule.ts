import { logError } from "../log-lines";

/**
 * A part of an object with work that falls due later (closing silent sockets, deleting files
 * never attached). `run` does what is due by `now` and says when the part is next due.
 */
export interface AlarmPart {
  /** Does what is due; returns when this part is next due (ms), or undefined while nothing waits. */
  run(now: number): Promise<number | undefined> | number | undefined;
}

/** How soon a part whose run failed is tried again. */
const RETRY_FAILED_PART_MS = 60_000;

/** The part of a Durable Object's storage that keeps its alarm. */
export interface AlarmStorage {
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
}

/**
 * The one owner of an object's alarm. A Durable Object has a single alarm, so parts never set it
 * themselves: each says when it is next due (`dueBy`), which only ever moves the alarm earlier,
 * and when the alarm fires every part runs and the alarm is set for the earliest of what they
 * say next. No part can push back another's deadline, and a part with nothing due costs
 * nothing. https://developers.cloudflare.com/durable-objects/api/alarms/
 */
export class AlarmSchedule {
  private readonly parts: AlarmPart[] = [];
  /** When the alarm is set for; undefined until storage is asked once per wake-up, null when none is. */
  private next: number | null | undefined;
  /** Calls to `dueBy` one after the other: two at once must not both read an empty alarm and then set it in either order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly storage: AlarmStorage) {}

  /** Registers a part; its `run` is called on every alarm. */
  add<T extends AlarmPart>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** Makes sure the alarm fires by `at`. Cheap when it already does: storage is asked once per wake-up. */
  dueBy(at: number): Promise<void> {
    const moved = this.queue.then(() => this.moveUp(at));
    // A failed write fails its own caller only; the next call asks again.
    this.queue = moved.catch(() => {
      this.next = undefined;
    });
    return moved;
  }

  /** The object's `alarm()`: every part runs, then the alarm is set for the earliest next deadline. */
  async run(now: number): Promise<void> {
    // The alarm that is running is no longer set.
    this.next = null;
    let earliest: number | undefined;
    for (const part of this.parts) {
      let due: number | undefined;
      try {
        due = await part.run(now);
      } catch (error) {
        // One part's failure (an RPC, R2) must not stop the others' schedule: it is tried again soon.
        logError("object.alarm_part_failed", error, { part: part.constructor.name });
        due = now + RETRY_FAILED_PART_MS;
      }
      if (due !== undefined && (earliest === undefined || due < earliest)) earliest = due;
    }
    if (earliest !== undefined) await this.dueBy(earliest);
  }

  private async moveUp(at: number): Promise<void> {
    if (this.next === undefined) this.next = await this.storage.getAlarm();
    if (this.next !== null && this.next <= at) return;
    this.next = at;
    await this.storage.setAlarm(at);
  }
}
