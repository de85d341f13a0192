import { LIMITS, type Member } from "../../../protocol";
import { lastSeenLabel } from "../message-view";
import { personLabel } from "./person-label";
import type { RoomState } from "./room-state";

export interface MemberPanelActions {
  /** Address the next message in this room to them only. */
  pick(id: string): void;
  /** Open the one-to-one conversation with them, a room of its own. */
  openDirect(id: string): void;
  /** A moderation action, offered where the user's role allows it (RoomState). */
  moderate(id: string, action: ModerationAction): void;
}

export type ModerationAction = "mute" | "unmute" | "ban" | "moderator" | "member";

/** The member list: online first, then by name; a click on someone starts a direct message to them. */
export function renderMembers(container: HTMLElement, note: HTMLElement, state: RoomState, actions: MemberPanelActions): void {
  const members = state.people.memberList();
  // A full list is a large room's: the server lists who is online and who was here lately.
  note.hidden = members.length < LIMITS.listedMembers;
  const sorted = members.sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  container.replaceChildren(...sorted.map((member) => memberItem(member, state, actions)));
}

function memberItem(member: Member, state: RoomState, actions: MemberPanelActions): HTMLLIElement {
  const { you } = state;
  const item = document.createElement("li");
  item.className = member.online ? "online" : "offline";
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.userId = member.id;
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.setAttribute("aria-label", member.online ? "online" : "offline");
  button.append(dot, personLabel(member, state));
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
  if (state.mayModerate(member.id)) item.append(moderationMenu(member, state, actions.moderate));
  return item;
}

/** The moderation actions on one member, in a small select: Mute 1 h, Unmute, Ban, and for owners the role. */
function moderationMenu(member: Member, state: RoomState, moderate: MemberPanelActions["moderate"]): HTMLSelectElement {
  const select = document.createElement("select");
  select.className = "moderate";
  select.setAttribute("aria-label", `Moderate ${member.name}`);
  const options: [string, string][] = [
    ["", "⋯"],
    ["mute", "Mute for 1 hour"],
    ["unmute", "Unmute"],
    ["ban", "Ban for 1 day"],
  ];
  if (state.mayAppoint) options.push(state.roleOf(member.id) === "moderator" ? ["member", "Remove as moderator"] : ["moderator", "Make moderator"]);
  for (const [value, label] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
  select.addEventListener("change", () => {
    const action = select.value as ModerationAction | "";
    select.value = "";
    if (action) moderate(member.id, action);
  });
  return select;
}
