import { LIMITS, quoteOf, type PageQuery, type ChangeFrame, type ChatMessage, type FileInfo, type OutgoingMessage, type Paging, type Quote, type UpdateFrame, type UserRef } from "../../protocol";
import type { LogEntry } from "./log-entries";
import { COLUMNS, isKnownKind, toMessage, toUpdate, VISIBLE_TO, type Row } from "./log-rows";
import { logEvent } from "../../log-lines";
import { storedChange, type ChangeColumns, type ChangeTables } from "./stored-changes";
import { migrateLog } from "./log-schema";
import { LogPruning } from "./log-pruning";
import type { ReactionList } from "./reaction-list";
import { RecentMessages, type Page } from "./recent-messages";
import type { RoomHooks } from "../lifecycle/room-hooks";

/** What the in-memory window of recent messages may hold: about 1 MB of text at most. */
const RECENT_MAX_CHARS = 500_000;

/**
 * The room's history in SQLite: messages, and the changes to them (edits, deletions,
 * reactions), each a row with a seq of its own. `seq` is the rowid: SQLite gives each new row
 * the largest rowid plus one, and pruning (log-pruning.ts) never removes the newest row, so a
 * seq is never reused (AUTOINCREMENT would guarantee the same at the cost of a
 * second write per message). (sender_id, id) is unique so a retransmit is stored once. That
 * unique index is the only one: every index costs a write per message, and the rate limit's
 * read of a sender's recent messages (once per wake-up) is served by it too.
 */
export class MessageLog {
  /** Resumes are answered from here; never more than `keep`, so it holds nothing pruning removed. */
  private readonly recent: RecentMessages;
  /** What a change's kind may touch when it is applied. */
  readonly tables: ChangeTables;
  private readonly pruning: LogPruning;
  private readonly unknownKinds = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    keep: number | undefined,
    private readonly reactions: ReactionList,
    hooks: RoomHooks,
  ) {
    migrateLog(sql);
    this.pruning = new LogPruning(sql, keep, hooks);
    this.tables = { sql, reactions, hooks };
    this.recent = new RecentMessages(Math.min(LIMITS.resumeHistory, keep ?? Infinity), RECENT_MAX_CHARS);
  }

  /** Deletes every entry through this message, which is older than the room keeps (log-retention.ts). */
  forgetThrough(seq: number): void {
    this.pruning.pruneThrough(seq);
    this.recent.invalidate();
  }

  latestSeq(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM messages").one().seq ?? 0;
  }

  /** What this sender already stored under this id, if anything: a message or a change. */
  find(senderId: string, id: string): LogEntry | undefined {
    const row = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE sender_id = ? AND id = ?`, senderId, id).toArray()[0];
    return row && this.dress(row);
  }

  /** A message as it reads now (a tombstone if deleted); undefined for no such message, or a change's seq. */
  message(seq: number): ChatMessage | undefined {
    const row = this.sql.exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE seq = ? AND kind = 'message'`, seq).toArray()[0];
    return row && toMessage(row);
  }

  /**
   * Stores a message, unless this sender already stored one with this id: then nothing is
   * written and undefined is returned (look the original up with `find`).
   */
  append(from: UserRef, message: OutgoingMessage, ts: number, files: FileInfo[] = [], quoted?: Quote): ChatMessage | undefined {
    const row = this.sql
      .exec<{ seq: number }>(
        `INSERT INTO messages (id, sender_id, sender_name, recipient_id, text, ts, mentions, reply_to, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sender_id, id) DO NOTHING RETURNING seq`,
        message.id,
        from.id,
        from.name,
        message.to ?? null,
        message.text,
        ts,
        message.mentions ? JSON.stringify(message.mentions) : null,
        message.replyTo ?? null,
        files.length > 0 ? JSON.stringify(files) : null,
      )
      .toArray()[0];
    if (!row) return undefined;
    this.pruning.grew("messages");
    const stored: ChatMessage = { type: "message", seq: row.seq, id: message.id, from, text: message.text, ts };
    if (message.to !== undefined) stored.to = message.to;
    if (message.mentions !== undefined) stored.mentions = message.mentions;
    // The intake read the message answered to check the reply; its quote comes with it.
    if (message.replyTo !== undefined) stored.replyTo = quoted ?? this.quote(message.replyTo);
    if (files.length > 0) stored.files = files;
    this.recent.add(stored);
    return stored;
  }

  /**
   * Records a change to `target` as an event of its own, with the columns its kind prepared,
   * and applies it to the message's row (stored-changes.ts), so the row always reads as the
   * message is now. Undefined when this changer already stored a change with this id (a
   * retransmit; `find` it).
   */
  appendChange(by: UserRef, change: ChangeFrame, target: ChatMessage, ts: number, columns: ChangeColumns): UpdateFrame | undefined {
    // A change to a direct message is seen by its two people, as the message is.
    const to = target.to === undefined ? null : by.id === target.from.id ? target.to : target.from.id;
    const row = this.sql
      .exec<{ seq: number }>(
        `INSERT INTO messages (id, sender_id, sender_name, recipient_id, text, ts, kind, target, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sender_id, id) DO NOTHING RETURNING seq`,
        change.id,
        by.id,
        by.name,
        to,
        columns.text,
        ts,
        change.type,
        change.target,
        columns.data,
      )
      .toArray()[0];
    if (!row) return undefined;
    storedChange(change.type).apply(change, ts, this.tables);
    this.pruning.grew("changes");
    // The window holds messages as they read before this change.
    this.recent.invalidate();
    return toUpdate({ seq: row.seq, id: change.id, sender_id: by.id, sender_name: by.name, recipient_id: to, ts, kind: change.type, target: change.target, ...columns });
  }

  /**
   * What the viewer may see. With `after`: the oldest `limit` entries after it, messages and
   * changes (a client resuming applies the changes in seq order and ends where one that never
   * left is). Otherwise the newest `limit` messages (before `before`), as they read now.
   * `next` is where the following page starts: the last seq read forward, the first read back.
   */
  page(viewer: string, query: PageQuery): Page & Paging {
    const after = query.before === undefined ? query.after : undefined;
    const page = after !== undefined ? this.pageAfter(viewer, after, query.limit) : this.pageBefore(viewer, query);
    const messages = this.withReactions(page.messages, viewer);
    // Part of what the reader asked for was pruned: after `after`, or, reading back, before the
    // oldest message there is. The reader must know it has a gap, and where what is kept starts.
    // Asked only where it can matter: the first ask after a wake-up counts the log's rows, and
    // most fresh connections read a page that does not reach the oldest message.
    const through = after !== undefined || !page.more ? this.pruning.through() : 0;
    const pruned = through > 0 && (after !== undefined ? after < through : !page.more) ? { pruned: true as const, oldestSeq: through + 1 } : {};
    if (!page.more) return { ...page, messages, ...pruned };
    const next = after !== undefined ? Math.max(page.messages.at(-1)?.seq ?? 0, page.updates.at(-1)?.seq ?? 0) : page.messages[0]!.seq;
    return { ...page, messages, next, ...pruned };
  }

  private pageAfter(viewer: string, after: number, limit: number): Page {
    if (!this.recent.filled) this.recent.fill(this.newest(this.recent.capacity + 1));
    const cached = this.recent.after(viewer, after, limit);
    if (cached) return cached;
    const rows = this.sql
      .exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE ${VISIBLE_TO} AND seq > ? ORDER BY seq ASC LIMIT ?`, viewer, viewer, after, limit + 1)
      .toArray();
    const more = rows.length > limit;
    if (more) rows.pop();
    const entries = this.dressAll(rows);
    return {
      messages: entries.filter((entry): entry is ChatMessage => entry.type === "message"),
      updates: entries.filter((entry): entry is UpdateFrame => entry.type === "update"),
      more,
    };
  }

  private pageBefore(viewer: string, query: PageQuery): Page {
    const before = query.before === undefined ? "" : "AND seq < ?";
    const params = query.before === undefined ? [] : [query.before];
    const rows = this.sql
      .exec<Row>(
        `SELECT ${COLUMNS} FROM messages WHERE kind = 'message' AND ${VISIBLE_TO} ${before} ORDER BY seq DESC LIMIT ?`,
        viewer,
        viewer,
        ...params,
        query.limit + 1,
      )
      .toArray();
    const more = rows.length > query.limit;
    if (more) rows.pop();
    rows.reverse();
    return { messages: this.dressAll(rows) as ChatMessage[], updates: [], more };
  }

  /** The newest `limit` entries of every kind and visibility, oldest first, as they read now. */
  private newest(limit: number): LogEntry[] {
    return this.dressAll(this.sql.exec<Row>(`SELECT ${COLUMNS} FROM messages ORDER BY seq DESC LIMIT ?`, limit).toArray().reverse());
  }

  /**
   * What the user has not read after `after`: the messages they may see that others sent, and
   * of those the direct messages to them and the messages that @-mention them. Counted in SQL
   * over the seq range, never paged: a read position thousands of messages back costs one scan
   * of the rows after it. Changes and deleted messages are not unread.
   */
  unreadCounts(userId: string, after: number): { unread: number; mentions: number } {
    return this.sql
      .exec<{ unread: number; mentions: number }>(
        `SELECT COUNT(*) AS unread,
                COUNT(CASE WHEN recipient_id IS NOT NULL
                             OR (mentions IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(mentions) WHERE value = ?))
                      THEN 1 END) AS mentions
         FROM messages
         WHERE seq > ? AND kind = 'message' AND deleted = 0 AND sender_id != ? AND (recipient_id IS NULL OR recipient_id = ?)`,
        userId,
        after,
        userId,
        userId,
      )
      .one();
  }

  /** The newest message the user may see that was not deleted. */
  newestVisibleTo(userId: string): ChatMessage | undefined {
    const row = this.sql
      .exec<Row>(`SELECT ${COLUMNS} FROM messages WHERE kind = 'message' AND deleted = 0 AND ${VISIBLE_TO} ORDER BY seq DESC LIMIT 1`, userId, userId)
      .toArray()[0];
    return row && toMessage(row);
  }

  /** When this sender's newest messages and changes since `since` were sent, oldest first, at most `max`. */
  sendTimes(senderId: string, since: number, max: number): number[] {
    return this.sql
      .exec<{ ts: number }>("SELECT ts FROM messages WHERE sender_id = ? AND ts > ? ORDER BY ts DESC LIMIT ?", senderId, since, max)
      .toArray()
      .map((row) => row.ts)
      .reverse();
  }

  /** The quote a reply carries of the message it answers, as that reads now. */
  private quote(seq: number): Quote {
    const original = this.message(seq);
    // Pruned from the log: nothing of it is left to quote.
    return original ? quoteOf(original) : { seq, from: { id: "", name: "" }, text: "", deleted: true };
  }

  /** A row as the entry it is; undefined for a change of a kind this version does not know (written by a later one, before a rollback). */
  private dress(row: Row): LogEntry | undefined {
    if (row.kind !== "message") return isKnownKind(row.kind) ? toUpdate(row) : this.unknown(row);
    const message = toMessage(row);
    if (row.reply_to !== null) message.replyTo = this.quote(row.reply_to);
    return message;
  }

  private dressAll(rows: Row[]): LogEntry[] {
    return rows.map((row) => this.dress(row)).filter((entry) => entry !== undefined);
  }

  /** Left out, never read as another kind; said once per wake-up, as every read would meet it. */
  private unknown(row: Row): undefined {
    if (this.unknownKinds.has(row.kind)) return undefined;
    this.unknownKinds.add(row.kind);
    logEvent("room.unknown_change_kind", { kind: row.kind, seq: row.seq });
    return undefined;
  }

  /** Copies of the messages that have reactions, with them as the viewer sees them; one read for the page. */
  private withReactions(messages: ChatMessage[], viewer: string): ChatMessage[] {
    if (messages.length === 0) return messages;
    const byMessage = this.reactions.between(messages[0]!.seq, messages.at(-1)!.seq, viewer);
    if (byMessage.size === 0) return messages;
    return messages.map((message) => {
      const reactions = byMessage.get(message.seq);
      return reactions ? { ...message, reactions } : message;
    });
  }
}
