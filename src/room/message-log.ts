import { LIMITS, type ChatMessage, type OutgoingMessage, type UserRef } from "../protocol";
import { RecentMessages, type Page } from "./recent-messages";

type Row = {
  seq: number;
  id: string;
  sender_id: string;
  sender_name: string;
  recipient_id: string | null;
  text: string;
  mentions: string | null;
  ts: number;
};

export interface PageQuery {
  /** Only messages with seq greater than this, oldest first. */
  after?: number;
  /** Only messages with seq less than this. */
  before?: number;
  limit: number;
}

const COLUMNS = "seq, id, sender_id, sender_name, recipient_id, text, ts, mentions";
/** What the in-memory window of recent messages may hold: about 1 MB of text at most. */
const RECENT_MAX_CHARS = 500_000;
// A user sees every public message, the direct messages sent to them and the ones they sent.
const VISIBLE_TO = "(recipient_id IS NULL OR recipient_id = ? OR sender_id = ?)";

/**
 * The room's history in SQLite. `seq` is the rowid: SQLite gives each new row the largest
 * rowid plus one, and pruning only ever removes the oldest rows while keeping the newest, so
 * a seq is never reused (AUTOINCREMENT would guarantee the same at the cost of a second write
 * per message). (sender_id, id) is unique so a retransmitted message is stored once.
 * That unique index is the only one: every index costs a write per message, and the rate
 * limit's read of a sender's recent messages (once per wake-up) is served by it too.
 */
export class MessageLog {
  /** Resumes are answered from here; never more than `keep`, so it holds nothing pruning removed. */
  private readonly recent: RecentMessages;

  constructor(
    private readonly sql: SqlStorage,
    private readonly keep: number,
  ) {
    this.recent = new RecentMessages(Math.min(LIMITS.resumeHistory, keep), RECENT_MAX_CHARS);
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      sender_name TEXT NOT NULL,
      recipient_id TEXT,
      text TEXT NOT NULL,
      ts INTEGER NOT NULL,
      mentions TEXT,
      UNIQUE (sender_id, id)
    )`);
    // Rooms made before @-mentions have the table without the column (a JSON list of user ids).
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('messages')").toArray();
    if (!columns.some((column) => column.name === "mentions")) sql.exec("ALTER TABLE messages ADD COLUMN mentions TEXT");
  }

  latestSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq ?? 0;
  }

  /** The message this sender already stored under this id, if any. */
  find(senderId: string, id: string): ChatMessage | undefined {
    const row = this.sql
      .exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND id = ?`, senderId, id)
      .toArray()[0];
    return row && toMessage(row);
  }

  /**
   * Stores a message, unless this sender already stored one with this id: then nothing is
   * written and undefined is returned (look the original up with `find`).
   */
  append(from: UserRef, message: OutgoingMessage, ts: number): ChatMessage | undefined {
    const row = this.sql
      .exec<{ seq: number }>(
        `INSERT INTO messages (id, sender_id, sender_name, recipient_id, text, ts, mentions) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sender_id, id) DO NOTHING RETURNING seq`,
        message.id,
        from.id,
        from.name,
        message.to ?? null,
        message.text,
        ts,
        message.mentions ? JSON.stringify(message.mentions) : null,
      )
      .toArray()[0];
    if (!row) return undefined;
    const { seq } = row;
    if (seq > this.keep) this.sql.exec("DELETE FROM messages WHERE seq <= ?", seq - this.keep);
    const stored: ChatMessage = { type: "message", seq, id: message.id, from, text: message.text, ts };
    if (message.to !== undefined) stored.to = message.to;
    if (message.mentions !== undefined) stored.mentions = message.mentions;
    this.recent.add(stored);
    return stored;
  }

  /** Messages the viewer may see: the newest `limit` (before `before`), or the oldest `limit` after `after`. */
  page(viewer: string, query: PageQuery): Page {
    if (query.after !== undefined && query.before === undefined) {
      if (!this.recent.filled) this.recent.fill(this.newest(this.recent.capacity + 1));
      const page = this.recent.after(viewer, query.after, query.limit);
      if (page) return page;
    }
    const conditions = [VISIBLE_TO];
    const params: (string | number)[] = [viewer, viewer];
    if (query.after !== undefined) {
      conditions.push("seq > ?");
      params.push(query.after);
    }
    if (query.before !== undefined) {
      conditions.push("seq < ?");
      params.push(query.before);
    }
    const oldestFirst = query.after !== undefined;
    const rows = this.sql
      .exec<Row>(
        `SELECT ${COLUMNS} FROM messages WHERE ${conditions.join(" AND ")} ORDER BY seq ${oldestFirst ? "ASC" : "DESC"} LIMIT ?`,
        ...params,
        query.limit + 1,
      )
      .toArray();
    const more = rows.length > query.limit;
    if (more) rows.pop();
    if (!oldestFirst) rows.reverse();
    return { messages: rows.map(toMessage), more };
  }

  /** The newest `limit` messages of every kind, oldest first. */
  private newest(limit: number): ChatMessage[] {
    return this.sql.exec<Row>(`SELECT ${COLUMNS} FROM messages ORDER BY seq DESC LIMIT ?`, limit).toArray().reverse().map(toMessage);
  }

  /**
   * What the user has not read after `after`: the messages they may see that others sent, and
   * of those the direct messages to them and the messages that @-mention them. Counted in SQL over the seq range, never paged: a
   * read position thousands of messages back costs one scan of the rows after it.
   */
  unreadCounts(userId: string, after: number): { unread: number; mentions: number } {
    return this.sql
      .exec<{ unread: number; mentions: number }>(
        `SELECT COUNT(*) AS unread,
                COUNT(CASE WHEN recipient_id IS NOT NULL
                             OR (mentions IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(mentions) WHERE value = ?))
                      THEN 1 END) AS mentions
         FROM messages
         WHERE seq > ? AND sender_id != ? AND (recipient_id IS NULL OR recipient_id = ?)`,
        userId,
        after,
        userId,
        userId,
      )
      .one();
  }

  /** The newest message the user may see. */
  newestVisibleTo(userId: string): ChatMessage | undefined {
    const row = this.sql
      .exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE ${VISIBLE_TO} ORDER BY seq DESC LIMIT 1`, userId, userId)
      .toArray()[0];
    return row && toMessage(row);
  }

  /** When this sender's newest messages since `since` were sent, oldest first, at most `max`. */
  sendTimes(senderId: string, since: number, max: number): number[] {
    return this.sql
      .exec<{ ts: number }>(
        "SELECT ts FROM messages WHERE sender_id = ? AND ts > ? ORDER BY ts DESC LIMIT ?",
        senderId,
        since,
        max,
      )
      .toArray()
      .map((row) => row.ts)
      .reverse();
  }
}

function toMessage(row: Row): ChatMessage {
  const message: ChatMessage = {
    type: "message",
    seq: row.seq,
    id: row.id,
    from: { id: row.sender_id, name: row.sender_name },
    text: row.text,
    ts: row.ts,
  };
  if (row.recipient_id !== null) message.to = row.recipient_id;
  if (row.mentions !== null) message.mentions = JSON.parse(row.mentions) as string[];
  return message;
}
