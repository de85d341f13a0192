import type { Quote, ReactionCount } from "../../../protocol";
import type { MessageViewModel } from "../message-view";

/** The emoji offered by a message's React button. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "😮", "🙏"];

/** The quote above a reply; a click on it goes to the original (`data-goto`). */
export function renderQuote(quote: Quote): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quote";
  button.dataset.goto = String(quote.seq);
  const author = document.createElement("bdi");
  author.textContent = quote.from.name || "someone";
  button.append(author, quote.deleted ? " · message deleted" : `: ${quote.text}`);
  return button;
}

/** One chip per emoji with its count, the reader's own highlighted; a click toggles it (`data-react`). */
export function renderReactions(reactions: Record<string, ReactionCount>): HTMLDivElement {
  const row = document.createElement("div");
  row.className = "reactions";
  for (const [emoji, { count, mine }] of Object.entries(reactions)) {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = mine ? "reaction mine" : "reaction";
    chip.dataset.react = emoji;
    chip.dataset.on = String(!mine);
    chip.setAttribute("aria-pressed", String(mine));
    chip.setAttribute("aria-label", `${emoji} ${count}${mine ? ", yours" : ""}`);
    chip.textContent = `${emoji} ${count}`;
    row.append(chip);
  }
  return row;
}

/** Reply and React for every stored message; Edit and Delete where the user may (`data-action`). */
export function renderActions(model: MessageViewModel, may: { edit: boolean; delete: boolean }): HTMLDivElement {
  const bar = document.createElement("div");
  bar.className = "actions";
  const actions = ["reply", "react", ...(may.edit ? ["edit"] : []), ...(may.delete ? ["delete"] : [])];
  for (const action of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.action = action;
    button.textContent = action[0]!.toUpperCase() + action.slice(1);
    bar.append(button);
  }
  const picker = document.createElement("div");
  picker.className = "reaction-picker";
  picker.hidden = true;
  for (const emoji of QUICK_REACTIONS) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.react = emoji;
    button.dataset.on = String(!model.reactions?.[emoji]?.mine);
    button.textContent = emoji;
    picker.append(button);
  }
  bar.append(picker);
  return bar;
}
