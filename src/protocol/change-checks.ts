import { LIMITS } from "./constants";
import type { ChangeFrame } from "./frames";
import { isSeq } from "./guards";
import { fail, ok, type Checked } from "./result";
import { checkChangeId, checkText } from "./text";

/** Pictographs, flags (regional indicators) and keycaps: what a reaction may be. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** A change to a message (edit, delete, react), as a frame or as an HTTP body with its kind. */
export function checkChange(kind: ChangeFrame["type"], value: Record<string, unknown>): Checked<ChangeFrame> {
  const id = checkChangeId(value.id);
  if (!id.ok) return id;
  const target = value.target;
  if (!isSeq(target) || target === 0) return fail("bad_message", "target must be the seq of a message", id.value);
  switch (kind) {
    case "edit": {
      const text = checkText(value.text, id.value);
      return text.ok ? ok({ type: "edit", id: id.value, target, text: text.value }) : text;
    }
    case "delete":
      return ok({ type: "delete", id: id.value, target });
    case "react": {
      const emoji = checkEmoji(value.emoji);
      if (!emoji.ok) return { ...emoji, id: id.value };
      if (typeof value.on !== "boolean") return fail("bad_message", "on must be true (add the reaction) or false (take it back)", id.value);
      return ok({ type: "react", id: id.value, target, emoji: emoji.value, on: value.on });
    }
  }
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
