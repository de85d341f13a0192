import type { MySearchPage } from "../../../protocol";
import type { ChatApi } from "../../api";
import { failureText } from "../failure-text";
import { marked, resultTime, wordsOf } from "../search-marks";

export interface SearchAllView {
  form: HTMLFormElement;
  input: HTMLInputElement;
  results: HTMLOListElement;
  note: HTMLElement;
}

/**
 * The home's search of every room of the person's (`GET /api/me/search`): the newest matches,
 * each with its room, the words marked; each is a link to the room that opens at the message
 * (`#seq=`, read by the room page).
 */
export function searchAll(api: () => ChatApi, view: SearchAllView): void {
  view.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = view.input.value.trim();
    if (query === "") return;
    view.note.textContent = "Searching…";
    try {
      const page = await api().searchAll(query);
      view.results.replaceChildren(...page.results.map((result) => item(result, wordsOf(query))));
      view.note.textContent = summary(page);
    } catch (failure) {
      view.note.textContent = failureText(failure);
    }
  });
}

function summary(page: MySearchPage): string {
  const parts = [page.results.length === 0 ? "No messages found." : ""];
  if (page.more) parts.push("Only the newest matches are shown; add a word to narrow them.");
  if (page.unsearched) parts.push(`${page.unsearched} of your rooms could not be searched in time.`);
  return parts.filter(Boolean).join(" ");
}

function item(result: MySearchPage["results"][number], words: string[]): HTMLLIElement {
  const entry = document.createElement("li");
  const link = document.createElement("a");
  link.className = "search-result";
  link.href = `/r/${encodeURIComponent(result.room.id)}#seq=${result.seq}`;
  const room = document.createElement("span");
  room.className = "room-title";
  room.textContent = result.room.title ?? `#${result.room.id}`;
  const who = document.createElement("strong");
  who.textContent = result.from.name;
  const text = document.createElement("span");
  text.className = "text";
  text.append(...marked(result.text, words));
  link.append(room, " · ", who, " ", resultTime(result.ts), text);
  entry.append(link);
  return entry;
}
