/**
 * Chinese and Japanese are written without spaces between words, and FTS5's `unicode61`
 * tokenizer takes a whole run of such characters for one token: 开会 would never be found in
 * 我们明天开会讨论预算. So the index keeps each run as its overlapping pairs (我们 们明 明天 天开
 * 开会 …), and a query's run becomes the phrase of its pairs: any two characters or more are
 * found wherever they appear. Korean is included: its words are spaced, but a pair still finds
 * part of one. Pairs rather than the trigram tokenizer, which cannot find two characters.
 */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

export function isLoneCjkCharacter(token: string): boolean {
  return Array.from(token).length === 1 && new RegExp(CJK_RUN.source, "u").test(token);
}

/** A run of one character stays as it is; a longer one becomes its pairs. */
export function pairsOf(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length < 2) return chars;
  return chars.slice(1).map((char, i) => chars[i] + char);
}

/** The text as the index keeps it: every CJK run as its pairs, set apart by spaces. */
export function withCjkPairs(text: string): string {
  return text.replace(CJK_RUN, (run) => ` ${pairsOf(run).join(" ")} `);
}
