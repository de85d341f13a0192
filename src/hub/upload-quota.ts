import { formatBytes } from "../shared/format-bytes";
import { failure, type Result, type UserRef } from "../protocol";
import type { AlarmPart } from "../shared/alarm-schedule";

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * An upload not settled within this long lost its record (the Worker failed between the R2 put
 * and the room's record): its bytes are swept. Longer than any upload of MAX_FILE_BYTES takes.
 */
export const ORPHAN_AFTER_MS = HOUR_MS;

export interface UploadLimits {
  bytesPerDay: number;
  uploadsPerDay: number;
}

/** An upload in flight: where its bytes go in R2, and who may fetch them once recorded. */
export interface PendingUpload {
  roomId: string;
  fileId: string;
  uploader: UserRef;
  bytes: number;
}

/** Asks the room whether it recorded an upload (then its bytes are the room's to delete). */
export type RecordedIn = (upload: PendingUpload) => Promise<boolean>;

/**
 * One person's uploads over the last day, across all rooms: bytes and count, kept per hour, so
 * a reservation reads and writes at most a day's worth of hourly rows however many uploads
 * there were (the window ages out an hour at a time). And the uploads in flight, until the
 * room has recorded them: one whose record never came is swept from R2.
 */
export class UploadQuota implements AlarmPart {
  constructor(
    private readonly sql: SqlStorage,
    private readonly bucket: R2Bucket,
    private readonly recordedIn: RecordedIn,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS upload_hours (hour INTEGER PRIMARY KEY, bytes INTEGER NOT NULL, uploads INTEGER NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS uploads_in_flight (
      file_key TEXT PRIMARY KEY, upload TEXT NOT NULL, hour INTEGER NOT NULL, started_at INTEGER NOT NULL
    )`);
    // The table of one row per upload that this replaces: every reservation scanned it whole.
    sql.exec("DROP TABLE IF EXISTS uploads");
  }

  /** Counts an upload if it fits in the day's bytes and uploads, and remembers it as in flight; else says when it would. */
  reserve(upload: PendingUpload, limits: UploadLimits, now: number): Result<{ sweepAt: number }> {
    const hours = this.lastDay(now);
    const used = hours.reduce((sum, row) => ({ bytes: sum.bytes + row.bytes, uploads: sum.uploads + row.uploads }), { bytes: 0, uploads: 0 });
    if (used.uploads + 1 > limits.uploadsPerDay) {
      const wait = waitUntilFits(hours, now, (freed) => used.uploads - freed.uploads + 1 <= limits.uploadsPerDay);
      return refused(`you can upload ${limits.uploadsPerDay} files a day; try again later`, wait);
    }
    if (used.bytes + upload.bytes > limits.bytesPerDay) {
      const wait = waitUntilFits(hours, now, (freed) => used.bytes - freed.bytes + upload.bytes <= limits.bytesPerDay);
      return refused(`you can upload ${formatBytes(limits.bytesPerDay)} a day, and this file would pass that`, wait);
    }
    const hour = Math.floor(now / HOUR_MS);
    this.sql.exec(
      `INSERT INTO upload_hours (hour, bytes, uploads) VALUES (?, ?, 1)
       ON CONFLICT (hour) DO UPDATE SET bytes = bytes + excluded.bytes, uploads = uploads + 1`,
      hour,
      upload.bytes,
    );
    this.sql.exec("INSERT OR REPLACE INTO uploads_in_flight (file_key, upload, hour, started_at) VALUES (?, ?, ?, ?)", keyOf(upload), JSON.stringify(upload), hour, now);
    return { ok: true, sweepAt: now + ORPHAN_AFTER_MS };
  }

  /** The room recorded the upload: from now on its bytes are the room's to delete. */
  settle(roomId: string, fileId: string): void {
    this.sql.exec("DELETE FROM uploads_in_flight WHERE file_key = ?", `${roomId}/${fileId}`);
  }

  /** An upload whose bytes never arrived gives back what it counted. */
  release(roomId: string, fileId: string): void {
    const key = `${roomId}/${fileId}`;
    const row = this.sql.exec<{ upload: string; hour: number }>("SELECT upload, hour FROM uploads_in_flight WHERE file_key = ?", key).toArray()[0];
    if (!row) return;
    const { bytes } = JSON.parse(row.upload) as PendingUpload;
    this.sql.exec("UPDATE upload_hours SET bytes = max(0, bytes - ?), uploads = max(0, uploads - 1) WHERE hour = ?", bytes, row.hour);
    this.sql.exec("DELETE FROM uploads_in_flight WHERE file_key = ?", key);
  }

  /** Sweeps uploads whose record never came, and forgets hours older than a day. */
  async run(now: number): Promise<number | undefined> {
    this.lastDay(now);
    const stale = this.sql
      .exec<{ file_key: string; upload: string }>("SELECT file_key, upload FROM uploads_in_flight WHERE started_at <= ?", now - ORPHAN_AFTER_MS)
      .toArray();
    for (const row of stale) {
      const upload = JSON.parse(row.upload) as PendingUpload;
      // A record that did arrive, with only the settling lost, keeps its bytes.
      if (!(await this.recordedIn(upload))) await this.bucket.delete(row.file_key);
      this.sql.exec("DELETE FROM uploads_in_flight WHERE file_key = ?", row.file_key);
    }
    const next = this.sql.exec<{ next: number | null }>("SELECT min(started_at) AS next FROM uploads_in_flight").one().next;
    return next === null ? undefined : next + ORPHAN_AFTER_MS;
  }

  /** The hours still inside the day's window, oldest first; older ones are deleted. */
  private lastDay(now: number): { hour: number; bytes: number; uploads: number }[] {
    // An hour counts until its last moment is a day old.
    const oldest = Math.floor((now - DAY_MS) / HOUR_MS);
    this.sql.exec("DELETE FROM upload_hours WHERE hour < ?", oldest);
    return this.sql.exec<{ hour: number; bytes: number; uploads: number }>("SELECT hour, bytes, uploads FROM upload_hours ORDER BY hour").toArray();
  }
}

function keyOf(upload: PendingUpload): string {
  return `${upload.roomId}/${upload.fileId}`;
}

/** How long until enough of the oldest hours age out for `fits`; a day when nothing would. */
function waitUntilFits(hours: { hour: number; bytes: number; uploads: number }[], now: number, fits: (freed: { bytes: number; uploads: number }) => boolean): number {
  const freed = { bytes: 0, uploads: 0 };
  for (const row of hours) {
    freed.bytes += row.bytes;
    freed.uploads += row.uploads;
    if (fits(freed)) return Math.max(1, (row.hour + 1) * HOUR_MS + DAY_MS - now);
  }
  return DAY_MS;
}

function refused(message: string, retryAfterMs: number) {
  return { ...failure(429, "rate_limited", message), retryAfterMs };
}
