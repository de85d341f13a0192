import type { ChatClient } from "../../chat-client";
import type { MessageViewModel } from "../message-view";
import type { MessageList } from "./message-list";

export interface ComposerModes {
  replyTo(message: MessageViewModel): void;
  edit(message: MessageViewModel): void;
}

/** How long a finger rests on a message before its actions show (a phone has no hover). */
const LONG_PRESS_MS = 450;

/**
 * What a person can do to the messages in the list, by one listener on it: Reply and Edit set
 * the composer's mode; React opens a few emoji; a reaction chip toggles; Delete asks once more
 * on the same button; a reply's quote goes to the original.
 */
export function wireMessageActions(list: HTMLElement, messages: MessageList, client: ChatClient, composer: ComposerModes): void {
  list.addEventListener("click", (event) => {
    const target = event.target as HTMLElement;
    const item = target.closest<HTMLElement>("li.message");
    const seq = Number(item?.dataset.seq);
    const message = Number.isFinite(seq) ? messages.at(seq) : undefined;
    const goto = target.closest<HTMLElement>("[data-goto]");
    if (goto) return void messages.goTo(Number(goto.dataset.goto), client);
    if (!item || !message) return;
    const react = target.closest<HTMLElement>("[data-react]");
    if (react) {
      client.react(seq, react.dataset.react!, react.dataset.on === "true");
      return;
    }
    const action = target.closest<HTMLButtonElement>("[data-action]");
    switch (action?.dataset.action) {
      case "reply":
        return composer.replyTo(message);
      case "edit":
        return composer.edit(message);
      case "react": {
        const picker = item.querySelector<HTMLElement>(".reaction-picker");
        if (picker) picker.hidden = !picker.hidden;
        return;
      }
      case "delete":
        if (action.dataset.confirm !== "yes") {
          action.dataset.confirm = "yes";
          action.textContent = "Delete for everyone?";
          return;
        }
        client.deleteMessage(seq);
        return;
    }
  });

  let press: ReturnType<typeof setTimeout> | undefined;
  list.addEventListener(
    "touchstart",
    (event) => {
      const item = (event.target as HTMLElement).closest<HTMLElement>("li.message");
      clearTimeout(press);
      if (item) press = setTimeout(() => item.classList.toggle("show-actions"), LONG_PRESS_MS);
    },
    { passive: true },
  );
  for (const end of ["touchend", "touchmove", "touchcancel"]) list.addEventListener(end, () => clearTimeout(press), { passive: true });
}
