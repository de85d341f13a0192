import { LIMITS } from "./constants";
import type { ChangeFrame, ChatMessage, UpdateFrame } from "./frames";
import { isNumber, isObject, isSeq, isUserRef } from "./guards";
import { fail, ok, type Checked } from "./result";
import { checkClientId, checkText } from "./text";

export type ChangeKindName = ChangeFrame["type"];
type FrameOf<K extends ChangeKindName> = Extract<ChangeFrame, { type: K }>;
type UpdateOf<K extends ChangeKindName> = Extract<UpdateFrame, { kind: K }>;

/**
 * What one kind of change to a message is on the wire, declared once for the frame parser, the
 * Worker's routes, the server-frame parser and the client. How the room stores it and who may
 * make it is the room's half of the same registry (src/room/history/stored-changes.ts);
 * docs/architecture.md says what adding a kind takes.
 */
export interface ChangeKind<K extends ChangeKindName> {
  /** The kind's own fields of a frame or HTTP body (`id` and `target` are checked before). */
  check(value: Record<string, unknown>, id: string, target: number): Checked<FrameOf<K>>;
  /** Its HTTP route under `/api/rooms/:room/messages/:seq`, whose body is the frame without `type` and `target`. */
  route: { method: "PATCH" | "DELETE" | "POST"; path: "" | `/${string}` };
  /** Whether an `update` frame's own fields are well formed. */
  isUpdate(value: Record<string, unknown>): boolean;
  /** The message after the change: what the room's own row reads after it. */
  apply(message: ChatMessage, update: UpdateOf<K>, you: string): ChatMessage;
  /** Whether it changes what a reply quotes, so that replies to the message are quoted anew. */
  changesQuote: boolean;
}

/** Pictographs, flags (regional indicators) and keycaps: what a reaction may be. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export const CHANGE_KINDS: { readonly [K in ChangeKindName]: ChangeKind<K> } = {
  edit: {
    check(value, id, target) {
      const text = checkText(value.text, id);
      return text.ok ? ok({ type: "edit", id, target, text: text.value }) : text;
    },
    route: { method: "PATCH", path: "" },
    isUpdate: (value) => typeof value.text === "string" && isNumber(value.editedAt),
    apply: (message, update) => ({ ...message, text: update.text, editedAt: update.editedAt }),
    changesQuote: true,
  },
  delete: {
    check: (_value, id, target) => ok({ type: "delete", id, target }),
    route: { method: "DELETE", path: "" },
    isUpdate: () => true,
    apply(message) {
      // A tombstone keeps only who sent it, when, and to whom: as the log keeps it.
      const { type, seq, id, from, ts, to } = message;
      const tombstone: ChatMessage = { type, seq, id, from, text: "", ts, deleted: true };
      if (to !== undefined) tombstone.to = to;
      return tombstone;
    },
    changesQuote: true,
  },
  react: {
    check(value, id, target) {
      const emoji = checkEmoji(value.emoji);
      if (!emoji.ok) return { ...emoji, id };
      if (typeof value.on !== "boolean") return fail("bad_message", "on must be true (add the reaction) or false (take it back)", id);
      return ok({ type: "react", id, target, emoji: emoji.value, on: value.on });
    },
    route: { method: "POST", path: "/reactions" },
    isUpdate: (value) => typeof value.emoji === "string" && typeof value.on === "boolean" && isNumber(value.count),
    apply(message, update, you) {
      const reactions = { ...message.reactions };
      const before = reactions[update.emoji];
      if (update.count === 0) delete reactions[update.emoji];
      else reactions[update.emoji] = { count: update.count, mine: update.from.id === you ? update.on : (before?.mine ?? false) };
      const { reactions: _, ...rest } = message;
      return Object.keys(reactions).length > 0 ? { ...rest, reactions } : rest;
    },
    changesQuote: false,
  },
};

export function isChangeKind(value: unknown): value is ChangeKindName {
  return typeof value === "string" && Object.hasOwn(CHANGE_KINDS, value);
}

/** An `update` frame from the server, of a kind this client knows. */
export function isUpdateFrame(value: unknown): value is UpdateFrame {
  if (!isObject(value) || value.type !== "update" || !isNumber(value.seq) || !isNumber(value.target)) return false;
  if (typeof value.id !== "string" || !isUserRef(value.from) || !isNumber(value.ts)) return false;
  return isChangeKind(value.kind) && CHANGE_KINDS[value.kind].isUpdate(value);
}

/** A change to a message, as a frame or as an HTTP body with its kind. */
export function checkChange(kind: ChangeKindName, value: Record<string, unknown>): Checked<ChangeFrame> {
  const id = checkClientId(value.id);
  if (!id.ok) return id;
  const target = value.target;
  if (!isSeq(target) || target === 0) return fail("bad_message", "target must be the seq of a message", id.value);
  return CHANGE_KINDS[kind].check(value, id.value, target);
}

/** The message after one change. */
export function applyChange(message: ChatMessage, update: UpdateFrame, you: string): ChatMessage {
  // The registry's entry for the update's own kind: TypeScript cannot pair them up by itself.
  return (CHANGE_KINDS[update.kind] as ChangeKind<ChangeKindName>).apply(message, update as never, you);
}

/** One emoji: a single grapheme cluster of at most LIMITS.maxEmojiBytes bytes that is a pictograph, flag or keycap. */
export function checkEmoji(value: unknown): Checked<string> {
  const invalid = fail("bad_message", `emoji must be one emoji of at most ${LIMITS.maxEmojiBytes} bytes`);
  if (typeof value !== "string" || value.length === 0 || !value.isWellFormed()) return invalid;
  if (new TextEncoder().encode(value).byteLength > LIMITS.maxEmojiBytes) return invalid;
  let clusters = 0;
  for (const _ of graphemes.segment(value)) if (++clusters > 1) return invalid;
  return EMOJI.test(value) ? ok(value) : invalid;
}
