import type { ChatClient } from "../../chat-client";
import type { MessageViewModel } from "../message-view";
import type { Attachments } from "./attachments";
import { MentionPicker } from "./mention-picker";
import type { RoomState } from "./room-state";

type Mode = { kind: "reply" | "edit"; message: MessageViewModel } | undefined;

/**
 * The message box: Enter sends (Shift+Enter is a new line), a draft survives a reload, typing
 * is announced, and a direct message goes to the member picked in the list until cleared. It
 * may be answering a message (Reply) or replacing one of the user's (Edit, or the Up arrow in
 * an empty box for the last one); Escape leaves either.
 */
export function composer(client: ChatClient, state: RoomState, draftKey: string, lastOwn: () => MessageViewModel | undefined, attachments: Attachments) {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const form = $<HTMLFormElement>("composer");
  const textarea = $<HTMLTextAreaElement>("text");
  let dmTarget: string | undefined;
  textarea.value = sessionStorage.getItem(draftKey) ?? "";
  // Before the composer's own keys: Enter picks a suggestion rather than sending.
  const mentions = new MentionPicker(textarea, $<HTMLUListElement>("mention-suggestions"), state);

  function setDmTarget(id: string | undefined): void {
    dmTarget = id;
    $("dm-target").hidden = id === undefined;
    if (id !== undefined) $("dm-name").textContent = state.people.nameOf(id);
    textarea.focus();
  }
  $("dm-clear").addEventListener("click", () => setDmTarget(undefined));

  let mode: Mode;
  function setMode(next: Mode): void {
    if (mode?.kind === "edit" && next?.kind !== "edit") textarea.value = sessionStorage.getItem(draftKey) ?? "";
    mode = next;
    $("compose-mode").hidden = !next;
    if (next?.kind === "reply") $("compose-mode-text").textContent = `Replying to ${next.message.from.name}: ${Array.from(next.message.text).slice(0, 80).join("")}`;
    if (next?.kind === "edit") {
      $("compose-mode-text").textContent = "Editing your message";
      textarea.value = next.message.text;
    }
    textarea.focus();
  }
  $("compose-mode-cancel").addEventListener("click", () => setMode(undefined));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value;
    const withFiles = mode?.kind !== "edit" && attachments.uploaded > 0;
    if (!text.trim() && !withFiles) return;
    if (withFiles && !attachments.ready) {
      // Sent once every file is up: the message carries their ids, not their bytes.
      $("uploads").dataset.waiting = "true";
      return;
    }
    if (mode?.kind === "edit") {
      client.edit(mode.message.seq!, text);
    } else {
      const answered = mode?.message;
      // A reply to a direct message stays between its two people.
      const privately = answered?.to === undefined ? dmTarget : answered.from.id === client.you.id ? answered.to : answered.from.id;
      const files = attachments.take();
      client.send(text.trim() ? text : "", {
        ...(files.length > 0 ? { files } : {}),
        ...(privately === undefined ? {} : { to: privately }),
        ...(answered?.seq === undefined ? {} : { replyTo: answered.seq }),
        mentions: mentions.mentionsIn(text),
      });
      sessionStorage.removeItem(draftKey);
    }
    mentions.reset();
    mode = undefined;
    $("compose-mode").hidden = true;
    textarea.value = "";
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && mode) return setMode(undefined);
    if (event.key === "ArrowUp" && textarea.value === "" && !mode) {
      const last = lastOwn();
      if (last) {
        event.preventDefault();
        return setMode({ kind: "edit", message: last });
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    if (mode?.kind !== "edit") sessionStorage.setItem(draftKey, textarea.value);
    if (textarea.value.trim()) client.typing();
  });
  return {
    setDmTarget,
    replyTo: (message: MessageViewModel) => setMode({ kind: "reply", message }),
    edit: (message: MessageViewModel) => setMode({ kind: "edit", message }),
  };
}
