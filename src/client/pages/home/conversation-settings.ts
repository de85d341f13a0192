import type { BlockedList } from "../../../protocol";
import type { ChatApi } from "../../api";
import { reportingIn } from "../failure-text";

export interface ConversationSettingsView {
  /** Opened: the list and the setting are read then, so a closed panel costs nothing. */
  panel: HTMLDetailsElement;
  reopen: HTMLInputElement;
  list: HTMLElement;
  empty: HTMLElement;
  error: HTMLElement;
}

/**
 * The home's panel of a person's choices about conversations: whether one they left comes back
 * with a new message, and the people they blocked, each with a way to unblock. Returns a
 * refresh, for after blocking someone elsewhere on the page.
 */
export function conversationSettings(api: () => ChatApi, view: ConversationSettingsView): () => void {
  const attempt = reportingIn(view.error);
  const refresh = () => {
    if (!view.panel.open) return;
    void attempt(async () => {
      const [settings, blocked] = await Promise.all([api().conversationSettings(), api().blockedPeople()]);
      view.reopen.checked = settings.reopenOnMessage;
      draw(blocked);
    });
  };
  const draw = ({ blocked }: BlockedList) => {
    view.empty.hidden = blocked.length > 0;
    view.list.replaceChildren(
      ...blocked.map((person) => {
        const item = document.createElement("li");
        const name = document.createElement("bdi");
        name.textContent = person.name ?? person.id;
        const unblock = document.createElement("button");
        unblock.type = "button";
        unblock.className = "link unblock";
        unblock.textContent = "Unblock";
        unblock.setAttribute("aria-label", `Unblock ${person.name ?? person.id}`);
        unblock.addEventListener("click", () => void attempt(async () => (await api().unblock(person.id), refresh())));
        item.append(name, " ", unblock);
        return item;
      }),
    );
  };
  view.panel.addEventListener("toggle", refresh);
  view.reopen.addEventListener("change", () => {
    const reopenOnMessage = view.reopen.checked;
    void attempt(async () => {
      view.reopen.checked = (await api().saveConversationSettings({ reopenOnMessage })).reopenOnMessage;
    });
  });
  return refresh;
}
