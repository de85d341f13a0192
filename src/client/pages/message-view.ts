import type { ChatMessage } from "../../protocol";
import { appendFormattedText } from "./formatted-text";
import { renderFiles } from "./room/file-view";
import { renderActions, renderQuote, renderReactions } from "./room/message-extras";
import { personLabel } from "./room/person-label";
import type { RoomState } from "./room/room-state";

export type MessageState = "sent" | "pending" | "failed";

/** A message as the list shows it: a stored one, or one of the user's still being sent (no seq yet). */
export type MessageViewModel = Omit<ChatMessage, "type" | "seq"> & {
  seq?: number;
  state: MessageState;
  failure?: string;
};

export function fromChatMessage(message: ChatMessage): MessageViewModel {
  return { ...message, state: "sent" };
}

/** Renders one message; `state` names its author and the recipient of a direct message, and says what the user may do to it. */
export function renderMessage(model: MessageViewModel, state: RoomState, fetchFile?: (id: string) => Promise<string>): HTMLLIElement {
  const { you, people } = state;
  const item = document.createElement("li");
  item.className = `message ${model.state === "sent" ? "" : model.state}`.trim();
  item.dataset.id = `${model.from.id}/${model.id}`;
  if (model.seq !== undefined) item.dataset.seq = String(model.seq);
  if (model.to !== undefined) item.classList.add("direct");
  if (model.mentions?.includes(you.id)) item.classList.add("mentions-you");

  const meta = document.createElement("div");
  meta.className = "meta";
  meta.append(personLabel(model.from, state, "sender"));
  if (model.to !== undefined) {
    const mark = document.createElement("span");
    mark.className = "dm-mark";
    if (model.to === you.id) mark.textContent = "direct message to you";
    else mark.append("direct message to ", personLabel({ id: model.to, name: people.nameOf(model.to) }, state));
    meta.append(mark);
  }
  const time = document.createElement("time");
  time.dateTime = new Date(model.ts).toISOString();
  time.textContent = new Date(model.ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  meta.append(time);
  if (model.state !== "sent") {
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = model.state === "pending" ? "sending…" : `not sent: ${model.failure ?? "refused"}`;
    meta.append(state);
  }

  if (model.editedAt !== undefined && !model.deleted) {
    const edited = document.createElement("span");
    edited.className = "edited";
    edited.textContent = "edited";
    meta.append(edited);
  }
  item.append(meta);
  if (model.replyTo) item.append(renderQuote(model.replyTo));
  const text = document.createElement("div");
  text.className = "text";
  if (model.deleted) {
    item.classList.add("deleted");
    text.textContent = "message deleted";
  } else {
    appendFormattedText(text, model.text);
  }
  item.append(text);
  if (model.files?.length && fetchFile && !model.deleted) item.append(renderFiles(model.files, fetchFile));
  if (model.reactions) item.append(renderReactions(model.reactions));
  if (model.state === "sent" && !model.deleted) item.append(renderActions(model, { edit: state.mayEdit(model.from.id), delete: state.mayDelete(model.from.id) }));
  return item;
}

/** "just now", "5 min ago", "3 h ago", or a date. */
export function lastSeenLabel(lastSeen: number, now = Date.now()): string {
  const minutes = Math.round((now - lastSeen) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 24 * 60) return `${Math.round(minutes / 60)} h ago`;
  return new Date(lastSeen).toLocaleDateString();
}
