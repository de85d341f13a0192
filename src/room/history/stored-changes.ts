import { LIMITS, type ModerationEvent, type ChangeFrame, type ChangeKindName, type ChatMessage, type UpdateFrame, failure, type Failure } from "../../protocol";
import type { RoomHooks } from "../lifecycle/room-hooks";
import type { ReactionList } from "./reaction-list";

type FrameOf<K extends ChangeKindName> = Extract<ChangeFrame, { type: K }>;
/** The fields an update of this kind adds to every update's (seq, id, from, ts, target, to). */
type FieldsOf<K extends ChangeKindName> = Omit<Extract<UpdateFrame, { kind: K }>, "type" | "seq" | "id" | "from" | "ts" | "target" | "to">;

/** What a kind's storage may touch besides the log's own row. */
export interface ChangeTables {
  sql: SqlStorage;
  reactions: ReactionList;
  hooks: RoomHooks;
}

/** The two columns of a change's row that differ by kind. */
export interface ChangeColumns {
  text: string;
  data: string | null;
}

/**
 * The room's half of one kind of change (the wire half is protocol/change-kinds.ts): who may
 * make it, how its row is written and read back, and what it does to the message's row.
 */
export interface StoredChange<K extends ChangeKindName> {
  /** Refuses a change by someone other than the author, unless `moderator` may (undefined: allowed). */
  refuseOthers(moderator: boolean): Failure | undefined;
  /** A non-author's change of this kind is this moderation action, kept in the moderation log. */
  moderationAction?: ModerationEvent["action"];
  /** A muted member may still make it (taking back what they said), though not add to the room. */
  whileMuted: boolean;
  /**
   * Does the kind's work before its row is written: the row's columns, a refusal, or
   * "unchanged" when it changes nothing (a reaction given twice), which stores nothing.
   */
  prepare(change: FrameOf<K>, target: ChatMessage, by: string, tables: ChangeTables): ChangeColumns | Failure | "unchanged";
  /** Applies the stored change to the message's own row, so it always reads as the message is now. */
  apply(change: FrameOf<K>, ts: number, tables: ChangeTables): void;
  /** The update's own fields, read back from its row. */
  read(row: { text: string; ts: number; data: string | null }): FieldsOf<K>;
}

export const STORED_CHANGES: { readonly [K in ChangeKindName]: StoredChange<K> } = {
  edit: {
    refuseOthers: () => failure(403, "forbidden", "only its author can edit a message"),
    whileMuted: false,
    prepare: (change) => ({ text: change.text, data: null }),
    apply(change, ts, { sql }) {
      sql.exec("UPDATE messages SET text = ?, edited_at = ? WHERE seq = ?", change.text, ts, change.target);
    },
    read: (row) => ({ kind: "edit", text: row.text, editedAt: row.ts }),
  },
  delete: {
    refuseOthers: (moderator) => (moderator ? undefined : failure(403, "forbidden", "only its author, or the room's owners and moderators, can delete a message")),
    moderationAction: "delete",
    whileMuted: true,
    prepare: () => ({ text: "", data: null }),
    // A deletion removes the text from the row and from every edit of it: it is gone from
    // storage, not hidden; what side tables keep of it goes too (the `gone` listeners).
    apply(change, _ts, { sql, hooks }) {
      sql.exec("UPDATE messages SET text = '', deleted = 1, mentions = NULL, edited_at = NULL, reply_to = NULL, files = NULL WHERE seq = ?", change.target);
      sql.exec("UPDATE messages SET text = '' WHERE kind = 'edit' AND target = ?", change.target);
      hooks.gone.emit({ deleted: change.target });
    },
    read: () => ({ kind: "delete" }),
  },
  react: {
    refuseOthers: () => undefined,
    whileMuted: false,
    prepare(change, target, by, { reactions }) {
      if (change.on && !reactions.accepts(target.seq, change.emoji, LIMITS.maxReactionsPerMessage)) {
        return failure(400, "bad_message", `a message can have at most ${LIMITS.maxReactionsPerMessage} different emoji`);
      }
      if (!reactions.set(target.seq, change.emoji, by, change.on)) return "unchanged";
      return { text: "", data: JSON.stringify({ emoji: change.emoji, on: change.on, count: reactions.count(target.seq, change.emoji) }) };
    },
    // The reaction table is the truth; the row records the event with the count after it.
    apply: () => {},
    read(row) {
      const { emoji, on, count } = JSON.parse(row.data ?? "{}") as { emoji: string; on: boolean; count: number };
      return { kind: "react", emoji, on, count };
    },
  },
};

/** The room's entry for a change's kind; pairs a frame with its own kind's entry, which TypeScript cannot do by itself. */
export function storedChange(kind: ChangeKindName): StoredChange<ChangeKindName> {
  return STORED_CHANGES[kind] as StoredChange<ChangeKindName>;
}
