import { plainText } from "../../protocol";

/** The words a search result marks: what was typed, without quotes and prefix stars, in lower case. */
export function wordsOf(query: string): string[] {
  return query
    .replace(/["*]/g, " ")
    .split(/\s+/)
    .filter((word) => word !== "")
    .map((word) => word.toLocaleLowerCase());
}

/**
 * A result's text as one plain line (its Markdown marks taken out, as on the home), each
 * occurrence of a word (ignoring case) in a <mark>: nodes, never HTML.
 */
export function marked(message: string, words: string[]): Node[] {
  const text = plainText(message);
  const lower = text.toLocaleLowerCase();
  // A few letters change length in lower case; then positions would not match, so mark nothing.
  if (lower.length !== text.length) return [document.createTextNode(text)];
  const nodes: Node[] = [];
  let at = 0;
  while (at < text.length) {
    let found: { index: number; length: number } | undefined;
    for (const word of words) {
      const index = lower.indexOf(word, at);
      if (index !== -1 && (found === undefined || index < found.index)) found = { index, length: word.length };
    }
    if (!found) break;
    nodes.push(document.createTextNode(text.slice(at, found.index)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(found.index, found.index + found.length);
    nodes.push(mark);
    at = found.index + found.length;
  }
  nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/** When a result was said: the time today, the date and time before. */
export function resultTime(ts: number): HTMLTimeElement {
  const when = document.createElement("time");
  when.dateTime = new Date(ts).toISOString();
  when.textContent = new Date(ts).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  return when;
}
