/**
 * The log's table, and the columns later versions added: a room made by an older version
 * gets them on its first wake-up with this one (SQLite adds a column without rewriting rows).
 */
export function migrateLog(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    recipient_id TEXT,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    UNIQUE (sender_id, id)
  )`);
  const have = new Set(sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('messages')").toArray().map((c) => c.name));
  const added: [string, string][] = [
    // @-mentions: a JSON list of user ids.
    ["mentions", "TEXT"],
    // Changes to messages are rows too: what kind, and which message they change.
    ["kind", "TEXT NOT NULL DEFAULT 'message'"],
    ["target", "INTEGER"],
    ["reply_to", "INTEGER"],
    ["edited_at", "INTEGER"],
    ["deleted", "INTEGER NOT NULL DEFAULT 0"],
    // A reaction's emoji, on/off and the count after it.
    ["data", "TEXT"],
    // A message's attached files, a JSON list of FileInfo.
    ["files", "TEXT"],
  ];
  for (const [name, type] of added) if (!have.has(name)) sql.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
}
