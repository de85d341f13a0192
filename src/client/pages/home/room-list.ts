import type { HomeRoom } from "../../../protocol";

/** What a person can do to a room from their home, beside opening it (room-actions.ts). */
export interface RoomListActions {
  leave(room: HomeRoom): void;
  block(room: HomeRoom): void;
}

/**
 * Draws the user's rooms: name, privacy, the newest line, when, the unread and mention counts,
 * and what they can do from here: leave a room (not one they own), leave or block a conversation.
 */
export function renderRoomList(list: HTMLElement, empty: HTMLElement, rooms: HomeRoom[], actions: RoomListActions, now = Date.now()): void {
  empty.hidden = rooms.length > 0;
  list.replaceChildren(...rooms.map((room) => roomEntry(room, actions, now)));
}

function roomEntry(room: HomeRoom, actions: RoomListActions, now: number): HTMLLIElement {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `/r/${encodeURIComponent(room.id)}`;
  link.className = "room-entry";
  link.dataset.room = room.id;
  if (room.unread > 0) link.classList.add("unread");

  const title = span("room-title", room.title ?? `#${room.id}`);
  if (room.visibility === "private" && !room.direct) title.append(" ", span("badge", "private"));
  const when = span("when", room.last ? shortTime(room.last.ts, now) : "");
  const last = span("last", "");
  if (room.last) {
    const from = document.createElement("bdi");
    from.textContent = room.last.from.name;
    last.append(from, `: ${room.last.text}`);
  } else {
    last.textContent = "No messages yet";
  }
  const counts = span("counts", "");
  if (room.mentions > 0) counts.append(count("mentions", `@${room.mentions}`, `${room.mentions} for you`));
  if (room.unread > 0) counts.append(count("unread", String(room.unread), `${room.unread} unread`));
  link.append(title, when, last, counts);
  item.append(link, entryActions(room, actions));
  return item;
}

function entryActions(room: HomeRoom, actions: RoomListActions): HTMLElement {
  const bar = span("entry-actions", "");
  const name = room.title ?? `#${room.id}`;
  if (room.role !== "owner") bar.append(action("leave", "Leave", `Leave ${name}`, () => actions.leave(room)));
  if (room.direct && room.other) bar.append(action("block", "Block", `Block ${room.other.name}`, () => actions.block(room)));
  return bar;
}

function action(kind: string, text: string, label: string, run: () => void): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `link ${kind}`;
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", run);
  return button;
}

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function count(kind: "unread" | "mentions", text: string, label: string): HTMLSpanElement {
  const element = span(`count ${kind}`, text);
  element.setAttribute("aria-label", label);
  return element;
}

/** Today's messages by time, older ones by date. */
function shortTime(ts: number, now: number): string {
  const date = new Date(ts);
  return date.toDateString() === new Date(now).toDateString()
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}
