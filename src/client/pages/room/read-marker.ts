import type { ChatClient } from "../../chat-client";

/**
 * Marks the room read up to the newest message once the person can see it: the tab is visible
 * and the conversation is scrolled to its end. Their home's unread badge clears from this, on
 * every device.
 */
export function markReadWhenSeen(client: ChatClient, list: HTMLElement): void {
  let newest = 0;
  const atEnd = () => list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const mark = () => {
    if (newest > 0 && document.visibilityState === "visible" && atEnd()) client.markRead(newest);
  };
  client.on("message", (message) => {
    newest = Math.max(newest, message.seq);
    // After the list has placed (and scrolled to) the message.
    queueMicrotask(mark);
  });
  list.addEventListener("scroll", mark, { passive: true });
  document.addEventListener("visibilitychange", mark);
}
