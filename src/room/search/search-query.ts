import { isLoneCjkCharacter, withCjkPairs } from "./cjk-bigrams";

/** What unicode61 keeps of a word: letters, digits and combining marks; everything else separates. */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;
/** A quoted phrase, or a word with an optional `*` at its end. */
const PART = /"([^"]*)"?|(\S+)/g;

/**
 * Turns what a person typed into an FTS5 query, without letting any of it be read as FTS5
 * syntax: each word is quoted (so `OR`, `NEAR`, `-` or a column filter are only words), a
 * word ending in `*` matches as a prefix (`desig*`), text in double quotes is a phrase, and
 * every part must be in the message. A CJK run becomes the phrase of its pairs, as it is
 * indexed (cjk-bigrams.ts); a single CJK character matches the pairs it begins. Undefined when nothing searchable is left.
 */
export function toMatchQuery(typed: string, maxTerms: number): string | undefined {
  const parts: string[] = [];
  for (const [, phrase, word] of typed.matchAll(PART)) {
    const tokens = withCjkPairs(phrase ?? word ?? "").match(TOKEN);
    if (!tokens) continue;
    // One CJK character is kept only inside its pairs: it is found as the start of one.
    const prefix = (word !== undefined && word.endsWith("*")) || (tokens.length === 1 && isLoneCjkCharacter(tokens[0]!));
    parts.push(`"${tokens.join(" ")}"${prefix ? "*" : ""}`);
    if (parts.length === maxTerms) break;
  }
  return parts.length > 0 ? parts.join(" AND ") : undefined;
}
