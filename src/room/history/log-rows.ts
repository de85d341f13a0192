import type { ChangeKindName, ChatMessage, FileInfo, UpdateFrame } from "../../protocol";
import { STORED_CHANGES, storedChange } from "./stored-changes";

/**
 * One row of the room's log: a message, or a change to one (a kind of stored-changes.ts) with a
 * seq of its own. A message's row holds its current state; a change's row holds what it changed.
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
  kind: "message" | ChangeKindName;
  target: number | null;
  reply_to: number | null;
  edited_at: number | null;
  deleted: number;
  data: string | null;
  files: string | null;
};

// A user sees every public message, the direct messages sent to them and the ones they sent;
// a change to a message is seen by whoever sees the message. Takes the viewer's id twice.
export const VISIBLE_TO = "(recipient_id IS NULL OR recipient_id = ? OR sender_id = ?)";

export const COLUMNS = "seq, id, sender_id, sender_name, recipient_id, text, ts, mentions, kind, target, reply_to, edited_at, deleted, data, files";

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

/** Whether a change row is of a kind this version stores (stored-changes.ts). */
export function isKnownKind(kind: string): kind is ChangeKindName {
  return Object.hasOwn(STORED_CHANGES, kind);
}

/** A change row of a known kind as the `update` frame that announced it. */
export function toUpdate(row: Pick<Row, "seq" | "id" | "sender_id" | "sender_name" | "recipient_id" | "text" | "ts" | "kind" | "target" | "data">): UpdateFrame {
  const base = { type: "update" as const, seq: row.seq, id: row.id, from: { id: row.sender_id, name: row.sender_name }, ts: row.ts, target: row.target! };
  const to = row.recipient_id === null ? {} : { to: row.recipient_id };
  return { ...base, ...to, ...storedChange(row.kind as ChangeKindName).read(row) } as UpdateFrame;
}
