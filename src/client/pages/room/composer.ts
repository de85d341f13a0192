import type { ChatClient } from "../../chat-client";
import { MentionPicker } from "./mention-picker";
import type { People } from "./people";

/**
 * The message box: Enter sends (Shift+Enter is a new line), a draft survives a reload, typing
 * is announced, and a direct message goes to the member picked in the list until cleared.
 */
export function composer(client: ChatClient, people: People, draftKey: string) {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const form = $<HTMLFormElement>("composer");
  const textarea = $<HTMLTextAreaElement>("text");
  let dmTarget: string | undefined;
  textarea.value = sessionStorage.getItem(draftKey) ?? "";
  // Before the composer's own keys: Enter picks a suggestion rather than sending.
  const mentions = new MentionPicker(textarea, $<HTMLUListElement>("mention-suggestions"), people, client.you);

  function setDmTarget(id: string | undefined): void {
    dmTarget = id;
    $("dm-target").hidden = id === undefined;
    if (id !== undefined) $("dm-name").textContent = people.nameOf(id);
    textarea.focus();
  }
  $("dm-clear").addEventListener("click", () => setDmTarget(undefined));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value;
    if (!text.trim()) return;
    client.send(text, { ...(dmTarget === undefined ? {} : { to: dmTarget }), mentions: mentions.mentionsIn(text) });
    mentions.reset();
    textarea.value = "";
    sessionStorage.removeItem(draftKey);
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    sessionStorage.setItem(draftKey, textarea.value);
    if (textarea.value.trim()) client.typing();
  });
  return { setDmTarget };
}
