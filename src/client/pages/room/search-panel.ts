import type { SearchResult } from "../../../protocol";
import type { ChatApi } from "../../api";
import { failureText } from "../failure-text";
import { marked, resultTime, wordsOf } from "../search-marks";

export interface SearchPanelView {
  open: HTMLButtonElement;
  panel: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  results: HTMLOListElement;
  more: HTMLButtonElement;
  note: HTMLElement;
}

/**
 * The room's search: a panel opened by its button, by `/` or by Ctrl/Cmd+K, that lists the
 * messages with every word typed, the words marked, newest first, and older ones on demand.
 * Choosing one closes the panel and goes to the message in the timeline (`goTo`); Escape
 * closes it and gives focus back to where it was.
 */
export function searchPanel(api: () => ChatApi, room: string, view: SearchPanelView, goTo: (seq: number) => void): void {
  let query = "";
  let next: number | undefined;
  let returnFocus: HTMLElement | null = null;
  // Only the newest request's answer is shown: a slow earlier one must not overwrite it.
  let latest = 0;

  const open = () => {
    if (view.panel.hidden) returnFocus = document.activeElement as HTMLElement | null;
    view.panel.hidden = false;
    view.open.setAttribute("aria-expanded", "true");
    view.input.focus();
    view.input.select();
  };
  const close = () => {
    view.panel.hidden = true;
    view.open.setAttribute("aria-expanded", "false");
    returnFocus?.focus();
  };
  const load = async (before?: number) => {
    const request = ++latest;
    view.note.textContent = before === undefined ? "Searching…" : "";
    view.more.hidden = true;
    try {
      const page = await api().searchRoom(room, query, before);
      if (request !== latest) return;
      if (before === undefined) view.results.replaceChildren();
      view.results.append(...page.results.map((result) => item(result, query, (seq) => (close(), goTo(seq)))));
      next = page.more ? page.next : undefined;
      view.more.hidden = next === undefined;
      view.note.textContent = view.results.childElementCount === 0 ? "No messages found." : "";
    } catch (failure) {
      if (request !== latest) return;
      view.note.textContent = failureText(failure);
    }
  };

  view.open.addEventListener("click", () => (view.panel.hidden ? open() : close()));
  view.form.addEventListener("submit", (event) => {
    event.preventDefault();
    query = view.input.value.trim();
    if (query !== "") void load();
  });
  view.more.addEventListener("click", () => void (next !== undefined && load(next)));
  view.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    const shortcut = (event.key === "k" && (event.ctrlKey || event.metaKey)) || (event.key === "/" && !typing);
    if (!shortcut) return;
    event.preventDefault();
    open();
  });
}

function item(result: SearchResult, query: string, choose: (seq: number) => void): HTMLLIElement {
  const entry = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "search-result";
  button.dataset.seq = String(result.seq);
  const who = document.createElement("strong");
  who.textContent = result.from.name;
  const when = resultTime(result.ts);
  const text = document.createElement("span");
  text.className = "text";
  text.append(...marked(result.text, wordsOf(query)));
  button.append(who, " ", when, text);
  button.addEventListener("click", () => choose(result.seq));
  entry.append(button);
  return entry;
}
