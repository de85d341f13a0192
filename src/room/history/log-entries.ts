import type { ChatMessage, FileInfo, UpdateFrame } from "../../protocol";

/**
 * One row of the room's log: a message, or a change to one (edit, delete, react) with a seq of
 * its own. A message's row holds its current state; a change's row holds what it changed.
 */
export type Row = {
  seq: number;
  id: string;
  sender_id: string;
  sender_name: string;
  recipient_id: string | null;
  text: string;
  ts: number;
  mentions: string | null;
  kind: "message" | "edit" | "delete" | "react";
  target: number | null;
  reply_to: number | null;
  edited_at: number | null;
  deleted: number;
  data: string | null;
  files: string | null;
};

export const COLUMNS = "seq, id, sender_id, sender_name, recipient_id, text, ts, mentions, kind, target, reply_to, edited_at, deleted, data, files";

/** A message as the log holds it, with the seq it answers (its quote is made when it is read). */
export interface LoggedMessage {
  message: ChatMessage;
  replyTo: number | undefined;
}

export type LogEntry = ChatMessage | UpdateFrame;

/**
 * Who sees an entry: everyone for a public one; the two people of a direct message, and of a
 * change to one. The log's SQL (VISIBLE_TO in message-log.ts) says the same.
 */
export function visibleTo(entry: LogEntry, viewer: string): boolean {
  return entry.to === undefined || entry.to === viewer || entry.from.id === viewer;
}

/** A message row as the message it is now; a deleted one is a tombstone with no text. */
export function toMessage(row: Row): ChatMessage {
  const message: ChatMessage = { type: "message", seq: row.seq, id: row.id, from: { id: row.sender_id, name: row.sender_name }, text: row.text, ts: row.ts };
  if (row.recipient_id !== null) message.to = row.recipient_id;
  if (row.deleted) {
    message.deleted = true;
    return message;
  }
  if (row.mentions !== null) message.mentions = JSON.parse(row.mentions) as string[];
  if (row.edited_at !== null) message.editedAt = row.edited_at;
  if (row.files !== null) message.files = JSON.parse(row.files) as FileInfo[];
  return message;
}

/** A change row as the `update` frame that announced it. */
export function toUpdate(row: Pick<Row, "seq" | "id" | "sender_id" | "sender_name" | "recipient_id" | "text" | "ts" | "kind" | "target" | "data">): UpdateFrame {
  const base = { type: "update" as const, seq: row.seq, id: row.id, from: { id: row.sender_id, name: row.sender_name }, ts: row.ts, target: row.target! };
  const to = row.recipient_id === null ? {} : { to: row.recipient_id };
  switch (row.kind) {
    case "edit":
      return { ...base, ...to, kind: "edit", text: row.text, editedAt: row.ts };
    case "delete":
      return { ...base, ...to, kind: "delete" };
    default: {
      const { emoji, on, count } = JSON.parse(row.data ?? "{}") as { emoji: string; on: boolean; count: number };
      return { ...base, ...to, kind: "react", emoji, on, count };
    }
  }
}
