import type { ChatClient } from "../../chat-client";
import type { UserRef } from "../../../protocol";

/** A message older than this when it arrives is history being loaded, not news to announce. */
const NEWS_FOR_MS = 10_000;
/** What a screen reader is given of a message: who, and its start. */
const ANNOUNCED_CHARS = 200;

/**
 * Tells a screen reader of each new message from someone else, once and briefly ("Bob: …"),
 * through a live region of its own. The message list itself is not live: as one, it was read
 * out again whenever history loaded or the list was redrawn.
 */
export function announceMessages(client: ChatClient, you: UserRef, region: HTMLElement): void {
  client.on("message", (message) => {
    if (message.from.id === you.id || message.deleted || Date.now() - message.ts > NEWS_FOR_MS) return;
    const text = Array.from(message.text).slice(0, ANNOUNCED_CHARS).join("");
    region.textContent = `${message.from.name}${message.to === you.id ? " to you" : ""}: ${text}`;
  });
}
