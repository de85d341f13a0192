import type { HomeRoom } from "../../../protocol";

/** Draws the user's rooms: name, privacy, the newest line, when, and the unread and mention counts. */
export function renderRoomList(list: HTMLElement, empty: HTMLElement, rooms: HomeRoom[], now = Date.now()): void {
  empty.hidden = rooms.length > 0;
  list.replaceChildren(...rooms.map((room) => roomEntry(room, now)));
}

function roomEntry(room: HomeRoom, now: number): HTMLLIElement {
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
  item.append(link);
  return item;
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
