import type { ChatMessage, UpdateFrame } from "../../protocol";

export type LogEntry = ChatMessage | UpdateFrame;

/**
 * Who sees an entry: everyone for a public one; the two people of a direct message, and of a
 * change to one. The log's SQL (VISIBLE_TO in message-log.ts) says the same.
 */
export function visibleTo(entry: LogEntry, viewer: string): boolean {
  return entry.to === undefined || entry.to === viewer || entry.from.id === viewer;
}
