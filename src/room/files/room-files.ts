import { logError } from "../../log-lines";
import { type FileInfo, type UserRef, failure, type Result } from "../../protocol";
import type { MessageLog } from "../history/message-log";
import { FileList } from "./file-list";
import { visibleTo } from "../history/log-entries";
import type { Moderation } from "../membership/moderation";
import type { RoomAccess } from "../membership/room-access";
import type { AlarmPart, AlarmSchedule } from "../../shared/alarm-schedule";
import type { RoomHooks } from "../lifecycle/room-hooks";

/** A file uploaded and not attached to a message within this long is deleted. */
const UNATTACHED_FILE_MS = 3600_000;

/**
 * The room's side of shared files (the bytes are in R2, see src/worker/file-routes.ts): who
 * may upload and fetch, the record of each upload, and deleting the bytes when their message
 * goes or when they were never attached.
 */
export class RoomFiles implements AlarmPart {
  readonly list: FileList;

  constructor(
    ctx: DurableObjectState,
    private readonly bucket: R2Bucket,
    private readonly roomId: () => string | undefined,
    private readonly access: RoomAccess,
    private readonly moderation: Moderation,
    /** Where the stored message a file went out with is read. */
    private readonly log: Pick<MessageLog, "message">,
    private readonly alarms: AlarmSchedule,
    hooks: RoomHooks,
  ) {
    // Deleting bytes in R2 needs no answer before the room goes on.
    this.list = new FileList(ctx.storage.sql, (ids) => ctx.waitUntil(this.deleteBytes(ids)));
    hooks.stored.on(({ entry }) => {
      if (entry.type === "message" && entry.files) this.list.attach(entry.files.map((file) => file.id), entry.seq);
    });
    hooks.gone.on((gone) => this.list.discardGone(gone));
  }

  /** Before any byte is stored: whoever may post here may upload. */
  mayUpload(user: UserRef): Result<{}> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    if (this.moderation.mutedUntil(user.id, Date.now()) !== undefined) return failure(403, "forbidden", "you are muted here and cannot share files");
    return { ok: true };
  }

  /** The upload is in R2: the room remembers it, for its uploader to attach to one message. */
  async record(user: UserRef, file: FileInfo): Promise<void> {
    const now = Date.now();
    this.list.add(user.id, file, now);
    await this.alarms.dueBy(now + UNATTACHED_FILE_MS);
  }

  /** The alarm's part: files never attached go after an hour. */
  run(now: number): number | undefined {
    this.list.discardUnattachedBefore(now - UNATTACHED_FILE_MS);
    const oldest = this.list.oldestUnattached();
    return oldest === undefined ? undefined : oldest + UNATTACHED_FILE_MS;
  }

  /**
   * A file is for whoever may see the message it went out with (a direct message's two people
   * only); before that, for its uploader only.
   */
  fileFor(user: UserRef, fileId: string): Result<{ file: FileInfo }> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    const found = this.list.get(fileId);
    const message = found?.messageSeq == null ? undefined : this.log.message(found.messageSeq);
    const visible = message ? !message.deleted && visibleTo(message, user.id) : found?.uploader === user.id;
    if (!found || !visible) return failure(404, "not_found", "no such file, or not one you can see");
    return { ok: true, file: found.file };
  }

  private async deleteBytes(ids: string[]): Promise<void> {
    const room = this.roomId();
    try {
      await this.bucket.delete(ids.map((id) => `${room}/${id}`));
    } catch (error) {
      logError("room.file_delete_failed", error, { room, files: ids.length });
    }
  }
}
