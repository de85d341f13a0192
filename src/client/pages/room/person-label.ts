import type { UserRef } from "../../../protocol";
import type { RoomState } from "./room-state";

/**
 * A person's name as the page shows it: isolated from the text around it (<bdi>), so a name in
 * a right-to-left script cannot reorder what follows, then the tag that tells look-alike names
 * apart, and an owner's or moderator's badge.
 */
export function personLabel(user: UserRef, state: RoomState, className = "name"): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const name = document.createElement("bdi");
  name.className = className;
  name.textContent = user.name;
  fragment.append(name);
  const tag = state.people.tagOf(user.id);
  if (tag) {
    const element = document.createElement("span");
    element.className = "name-tag";
    element.textContent = tag;
    element.title = "Another person here has a name that looks the same";
    fragment.append(element);
  }
  const role = state.roleOf(user.id);
  if (role !== "member") {
    const badge = document.createElement("span");
    badge.className = "owner-badge";
    badge.textContent = role;
    fragment.append(badge);
  }
  return fragment;
}
