import type { SearchPage, SearchResult } from "../../protocol";
import { VISIBLE_TO } from "../history/log-rows";
import type { Gone, RoomHooks } from "../lifecycle/room-hooks";
import { withCjkPairs } from "./cjk-bigrams";

type Hit = { seq: number; ts: number; sender_id: string; sender_name: string; text: string; recipient_id: string | null };

/**
 * The room's full-text index of its messages as they read now (SQLite FTS5, `search_index`,
 * its rowid the message's seq), kept by the lifecycle hooks in the same transaction as the log:
 * a message is indexed as it is stored, an edit replaces its words, and a deletion or pruning
 * takes them out. The table keeps its own copy of the indexed text, with `secure-delete` on:
 * a contentless table would leave a deleted message's words in the index's pages until a
 * merge, this one removes them with the row. See docs/search.md.
 */
export class SearchIndex {
  constructor(private readonly sql: SqlStorage, hooks: RoomHooks) {
    if (!sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'search_index'").toArray().length) this.create();
    hooks.stored.on(({ entry }) => {
      if (entry.type === "message") this.add(entry.seq, entry.text);
      else if (entry.kind === "edit") this.replace(entry.target, entry.text);
    });
    hooks.gone.on((gone) => this.forget(gone));
  }

  /**
   * The newest `limit` messages matching an FTS5 query (search-query.ts) that `viewer` may see,
   * before seq `before`: others' direct messages never, deleted ones never (they are not in the
   * index). `more` says whether older ones match too.
   */
  find(viewer: string, match: string, limit: number, before?: number): SearchPage {
    const rows = this.sql
      .exec<Hit>(
        `SELECT m.seq, m.ts, m.sender_id, m.sender_name, m.text, m.recipient_id
         FROM search_index JOIN messages m ON m.seq = search_index.rowid
         WHERE search_index MATCH ? AND search_index.rowid < ? AND m.kind = 'message' AND m.deleted = 0 AND ${VISIBLE_TO}
         ORDER BY search_index.rowid DESC LIMIT ?`,
        match,
        before ?? Number.MAX_SAFE_INTEGER,
        viewer,
        viewer,
        limit + 1,
      )
      .toArray();
    const results = rows.slice(0, limit).map(toResult);
    const page: SearchPage = { results, more: rows.length > limit };
    if (page.more) page.next = results.at(-1)!.seq;
    return page;
  }

  private create(): void {
    this.sql.exec("CREATE VIRTUAL TABLE search_index USING fts5(text)");
    this.sql.exec("INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 1)");
    // A room made before search: its messages are indexed once, on its first wake-up with it.
    const messages = this.sql.exec<{ seq: number; text: string }>("SELECT seq, text FROM messages WHERE kind = 'message' AND deleted = 0");
    for (const { seq, text } of messages) this.add(seq, text);
  }

  private add(seq: number, text: string): void {
    if (text !== "") this.sql.exec("INSERT INTO search_index (rowid, text) VALUES (?, ?)", seq, withCjkPairs(text));
  }

  private replace(seq: number, text: string): void {
    this.sql.exec("DELETE FROM search_index WHERE rowid = ?", seq);
    this.add(seq, text);
  }

  private forget(gone: Gone): void {
    if ("deleted" in gone) this.sql.exec("DELETE FROM search_index WHERE rowid = ?", gone.deleted);
    else this.sql.exec("DELETE FROM search_index WHERE rowid <= ?", gone.prunedThrough);
  }
}

function toResult(row: Hit): SearchResult {
  const result: SearchResult = { seq: row.seq, ts: row.ts, from: { id: row.sender_id, name: row.sender_name }, text: row.text };
  if (row.recipient_id !== null) result.to = row.recipient_id;
  return result;
}
