/**
 * A message's text with its chat formatting taken out (the Markdown a page formats, see
 * src/client/pages/formatted-text.ts), for where it is shown as one plain line: the home's
 * last line, a notification, a reply's quote. Close enough by design: the common marks people
 * type, not all of Markdown, so that a preview reads "bold", not "**bold**", without bringing
 * a parser into the Worker.
 */
export function plainText(text: string): string {
  return (
    text
      // A code block: its code.
      .replace(/```[^\n]*\n?([\s\S]*?)(?:```|$)/g, "$1")
      // A link or a picture: its text.
      .replace(/!?\[([^\]\n]*)\]\(\s*[^()\s]+\s*\)/g, "$1")
      .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, "$2")
      .replace(/~~(?=\S)([^\n]*?\S)~~/g, "$1")
      // Emphasis: `*` anywhere, `_` only at word edges (snake_case stays as it is).
      .replace(/\*(?=\S)([^\n*]*?\S)\*/g, "$1")
      .replace(/(^|[^\p{L}\p{N}_])_(?=\S)([^\n_]*?\S)_(?![\p{L}\p{N}_])/gu, "$1$2")
      .replace(/`([^`\n]+)`/g, "$1")
      // Quote and list marks at the start of a line.
      .replace(/^[ \t]{0,3}>[ \t]?/gm, "")
      .replace(/^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+/gm, "")
      .replace(/\s*\n\s*/g, " ")
      .trim()
  );
}
