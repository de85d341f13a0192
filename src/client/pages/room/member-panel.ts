import { LIMITS, type Member, type UserRef } from "../../../protocol";
import { lastSeenLabel } from "../message-view";
import type { People } from "./people";
import { personLabel } from "./person-label";

/** The member list: online first, then by name; a click on someone starts a direct message to them. */
export function renderMembers(container: HTMLElement, note: HTMLElement, people: People, you: UserRef, pick: (id: string) => void): void {
  const members = people.memberList();
  // A full list is a large room's: the server lists who is online and who was here lately.
  note.hidden = members.length < LIMITS.listedMembers;
  const sorted = members.sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  container.replaceChildren(...sorted.map((member) => memberItem(member, people, you, pick)));
}

function memberItem(member: Member, people: People, you: UserRef, pick: (id: string) => void): HTMLLIElement {
  const item = document.createElement("li");
  item.className = member.online ? "online" : "offline";
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.userId = member.id;
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.setAttribute("aria-label", member.online ? "online" : "offline");
  button.append(dot, personLabel(member, people));
  if (member.id === you.id) {
    const tag = document.createElement("span");
    tag.className = "you";
    tag.textContent = "(you)";
    button.append(tag);
    button.disabled = true;
  } else {
    button.title = `Send ${member.name} a direct message`;
    button.addEventListener("click", () => pick(member.id));
  }
  if (!member.online) {
    const seen = document.createElement("span");
    seen.className = "seen";
    seen.textContent = lastSeenLabel(member.lastSeen);
    button.append(seen);
  }
  item.append(button);
  return item;
}
