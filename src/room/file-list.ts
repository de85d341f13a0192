import type { FileInfo } from "../protocol";

type Row = { id: string; uploader: string; name: string; size: number; type: string; width: number | null; height: number | null; message_seq: number | null };

/**
 * The files uploaded to the room (their bytes are in R2, under `<room>/<id>`): who uploaded
 * each, and the message it went out with. A file is attached once, by its uploader.
 */
export class FileList {
  constructor(private readonly sql: SqlStorage) {
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
  claimable(uploader: string, ids: string[]): FileInfo[] | string {
    const files: FileInfo[] = [];
    for (const id of ids) {
      const row = this.row(id);
      if (!row || row.uploader !== uploader) return "only files you uploaded to this room can be attached";
      if (row.message_seq !== null) return "each file can be attached to one message only";
      files.push(toInfo(row));
    }
    return files;
  }

  attach(ids: string[], seq: number): void {
    for (const id of ids) this.sql.exec("UPDATE files SET message_seq = ? WHERE id = ?", seq, id);
  }

  /** A file with who uploaded it and the message it is attached to, if any. */
  get(id: string): { file: FileInfo; uploader: string; messageSeq: number | null } | undefined {
    const row = this.row(id);
    return row && { file: toInfo(row), uploader: row.uploader, messageSeq: row.message_seq };
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
