import { LIMITS, type Member, type UserRef } from "../../../protocol";
import { lastSeenLabel } from "../message-view";
import type { People } from "./people";
import { personLabel } from "./person-label";

export interface MemberActions {
  /** Address the next message in this room to them only. */
  pick(id: string): void;
  /** Open the one-to-one conversation with them, a room of its own. */
  openDirect(id: string): void;
  /** For the room's owners and moderators: what they may do to a member (owners' own roles are out of reach). */
  moderate?: {
    canAppoint: boolean;
    act(id: string, action: "mute" | "unmute" | "ban" | "moderator" | "member"): void;
  };
}

/** The member list: online first, then by name; a click on someone starts a direct message to them. */
export function renderMembers(container: HTMLElement, note: HTMLElement, people: People, you: UserRef, actions: MemberActions): void {
  const members = people.memberList();
  // A full list is a large room's: the server lists who is online and who was here lately.
  note.hidden = members.length < LIMITS.listedMembers;
  const sorted = members.sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  container.replaceChildren(...sorted.map((member) => memberItem(member, people, you, actions)));
}

function memberItem(member: Member, people: People, you: UserRef, actions: MemberActions): HTMLLIElement {
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
    button.title = `Send ${member.name} a direct message in this room`;
    button.addEventListener("click", () => actions.pick(member.id));
  }
  if (!member.online) {
    const seen = document.createElement("span");
    seen.className = "seen";
    seen.textContent = lastSeenLabel(member.lastSeen);
    button.append(seen);
  }
  item.append(button);
  if (member.id !== you.id) {
    const direct = document.createElement("button");
    direct.type = "button";
    direct.className = "open-direct";
    direct.textContent = "Message privately";
    direct.setAttribute("aria-label", `Message ${member.name} privately`);
    direct.addEventListener("click", () => actions.openDirect(member.id));
    item.append(direct);
  }
  if (actions.moderate && member.id !== you.id && !people.isOwner(member.id)) item.append(moderationMenu(member, people, actions.moderate));
  return item;
}

/** The moderation actions on one member, in a small select: Mute 1 h, Unmute, Ban, and for owners the role. */
function moderationMenu(member: Member, people: People, moderate: NonNullable<MemberActions["moderate"]>): HTMLSelectElement {
  const select = document.createElement("select");
  select.className = "moderate";
  select.setAttribute("aria-label", `Moderate ${member.name}`);
  const options: [string, string][] = [
    ["", "⋯"],
    ["mute", "Mute for 1 hour"],
    ["unmute", "Unmute"],
    ["ban", "Ban for 1 day"],
  ];
  if (moderate.canAppoint) options.push(people.isModerator(member.id) ? ["member", "Remove as moderator"] : ["moderator", "Make moderator"]);
  for (const [value, label] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
  select.addEventListener("change", () => {
    const action = select.value as "mute" | "unmute" | "ban" | "moderator" | "member";
    select.value = "";
    if (action) moderate.act(member.id, action);
  });
  return select;
}
