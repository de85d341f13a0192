import { LIMITS } from "./constants";
import { fail, ok, type Checked } from "./result";

// The rules for text: ids, names, invisible characters, sizes.

export const ROOM_ID = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.maxRoomIdChars}}$`);
export const MESSAGE_ID = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.maxMessageIdChars}}$`);
// C0 controls other than tab, line feed and carriage return, plus DEL and the C1 block.
export const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export const CONTROL_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Format characters (category Cf: zero-width spaces, soft hyphens, bidi controls) are invisible
// or reorder what follows them: "Ada\u200b" or "\u202eAda" would pass for "Ada". A zero-width
// joiner between two emoji is how families and flags are written, and stays.
const FORMAT_CHARACTER = /\p{Cf}/u;
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
/** Anything but what shows nothing on screen: white space, format characters, and the blank fillers some scripts have. */
const VISIBLE = /[^\s\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]/u;

/** Whether the text holds a format character other than a joiner inside an emoji. */
export function hasFormatCharacter(text: string): boolean {
  return FORMAT_CHARACTER.test(text.replace(EMOJI_JOINER, ""));
}

/** Removes format characters other than joiners inside emoji: how a provider's name is made displayable. */
export function withoutFormatCharacters(text: string): string {
  return text.replace(/\p{Cf}/gu, (char, offset: number, whole: string) =>
    char === "\u200D" && hasEmojiAround(whole, offset) ? char : "",
  );
}

function hasEmojiAround(text: string, offset: number): boolean {
  return /\p{Extended_Pictographic}\uFE0F?$/u.test(text.slice(0, offset)) && /^\p{Extended_Pictographic}/u.test(text.slice(offset + 1));
}

/** Whether text would show as nothing: only white space, format characters and blank fillers. */
export function isBlank(text: string): boolean {
  // A search that stops at the first visible character: every message is checked, and copying it would allocate.
  return !VISIBLE.test(text);
}

export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function exceedsFrameLimit(text: string): boolean {
  // Every UTF-16 unit is at most 3 UTF-8 bytes, so most frames need no encoding to be measured.
  if (text.length * 3 <= LIMITS.maxFrameBytes) return false;
  return new TextEncoder().encode(text).byteLength > LIMITS.maxFrameBytes;
}

/** The id a client gives a message or a change, unique per sender: what makes a retransmit safe. */
export function checkClientId(id: unknown): Checked<string> {
  if (typeof id === "string" && MESSAGE_ID.test(id)) return ok(id);
  return fail("bad_message", `id must be 1-${LIMITS.maxMessageIdChars} printable ASCII characters without spaces`);
}

/** A message's text, sent or edited. */
export function checkText(text: unknown, id: string): Checked<string> {
  if (typeof text !== "string") return fail("bad_message", "text must be a string", id);
  if (isBlank(text)) return fail("bad_message", "text must not be empty (white space and invisible characters alone show nothing)", id);
  if (!text.isWellFormed()) return fail("bad_message", "text is not valid Unicode", id);
  if (CONTROL_IN_TEXT.test(text)) return fail("bad_message", "text must not contain control characters", id);
  if (text.length > LIMITS.maxTextChars && codePoints(text) > LIMITS.maxTextChars) {
    return fail("too_large", `text must be at most ${LIMITS.maxTextChars} characters`, id);
  }
  return ok(text);
}
