import { plainText } from "./plain-text";
import { LIMITS } from "./constants";
import type { ChatMessage, Quote } from "./frames";

/** How a reply quotes the message it answers: its author and first characters as plain text, or that it was deleted. */
export function quoteOf(message: Pick<ChatMessage, "seq" | "from" | "text" | "deleted">): Quote {
  if (message.deleted) return { seq: message.seq, from: message.from, text: "", deleted: true };
  return { seq: message.seq, from: message.from, text: Array.from(plainText(message.text)).slice(0, LIMITS.quoteChars).join("") };
}
