import { logError, logEvent, type LogFields } from "../../log-lines";
import type { RoomRecord } from "../membership/room-record";

/** The room's structured log lines: ids and codes only, never tokens or message text. */
export class RoomNotes {
  constructor(private readonly room: RoomRecord) {}

  /** The room's id, once it has one (the record is read once per wake-up). */
  id(): string | undefined {
    return this.room.get()?.id;
  }

  note(event: string, fields: LogFields = {}): void {
    logEvent(event, { room: this.id(), ...fields });
  }

  error(event: string, error: unknown, fields: LogFields = {}): void {
    logError(event, error, { room: this.id(), ...fields });
  }
}
