import { failure, type FileInfo, type Result } from "../../protocol";
import type { Gone } from "../lifecycle/room-hooks";

type Row = { id: string; uploader: string; name: string; size: number; type: string; width: number | null; height: number | null; message_seq: number | null };

/**
 * The files uploaded to the room (their bytes are in R2, under `<room>/<id>`): who uploaded
 * each, and the message it went out with. A file is attached once, by its uploader, and is
 * deleted with its message (deleted, or pruned from the history), or after an hour if it was
 * never attached.
 */
export class FileList {
  constructor(
    private readonly sql: SqlStorage,
    /** Deletes these files' bytes (from R2); called once their rows are gone. */
    private readonly discard: (ids: string[]) => void,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS files (
      id TEXT PRIMARY KEY,
      uploader TEXT NOT NULL,
      name TEXT NOT NULL,
      size INTEGER NOT NULL,
      type TEXT NOT NULL,
      width INTEGER,
      height INTEGER,
      created_at INTEGER NOT NULL,
      message_seq INTEGER
    )`);
  }

  add(uploader: string, file: FileInfo, now: number): void {
    this.sql.exec(
      "INSERT INTO files (id, uploader, name, size, type, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      file.id,
      uploader,
      file.name,
      file.size,
      file.type,
      file.width ?? null,
      file.height ?? null,
      now,
    );
  }

  /** The files, in the order given, if each was uploaded by `uploader` and is not attached yet; else why not. */
  claimable(uploader: string, ids: string[]): Result<{ files: FileInfo[] }> {
    const files: FileInfo[] = [];
    for (const id of ids) {
      const row = this.row(id);
      if (!row || row.uploader !== uploader) return failure(400, "bad_message", "only files you uploaded to this room can be attached");
      if (row.message_seq !== null) return failure(400, "bad_message", "each file can be attached to one message only");
      files.push(toInfo(row));
    }
    return { ok: true, files };
  }

  attach(ids: string[], seq: number): void {
    for (const id of ids) this.sql.exec("UPDATE files SET message_seq = ? WHERE id = ?", seq, id);
  }

  /** The files of a deleted message, or of messages pruned from the log, go with them. */
  discardGone(gone: Gone): void {
    const [where, seq] = "deleted" in gone ? ["message_seq = ?", gone.deleted] : ["message_seq <= ?", gone.prunedThrough];
    this.drop(this.sql.exec<{ id: string }>(`DELETE FROM files WHERE ${where} RETURNING id`, seq).toArray());
  }

  /** Files uploaded before `before` and never attached: nobody will, so they are deleted. */
  discardUnattachedBefore(before: number): void {
    this.drop(this.sql.exec<{ id: string }>("DELETE FROM files WHERE message_seq IS NULL AND created_at < ? RETURNING id", before).toArray());
  }

  /** When the oldest file still waiting to be attached was uploaded, if any is. */
  oldestUnattached(): number | undefined {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(created_at) AS at FROM files WHERE message_seq IS NULL").one().at ?? undefined;
  }

  /** A file with who uploaded it and the message it is attached to, if any. */
  get(id: string): { file: FileInfo; uploader: string; messageSeq: number | null } | undefined {
    const row = this.row(id);
    return row && { file: toInfo(row), uploader: row.uploader, messageSeq: row.message_seq };
  }

  private drop(rows: { id: string }[]): void {
    if (rows.length > 0) this.discard(rows.map((row) => row.id));
  }

  private row(id: string): Row | undefined {
    return this.sql.exec<Row>("SELECT id, uploader, name, size, type, width, height, message_seq FROM files WHERE id = ?", id).toArray()[0];
  }
}

function toInfo(row: Row): FileInfo {
  const file: FileInfo = { id: row.id, name: row.name, size: row.size, type: row.type };
  if (row.width !== null && row.height !== null) {
    file.width = row.width;
    file.height = row.height;
  }
  return file;
}
