import type { UserRef } from "../../../protocol";
import type { People } from "./people";

/**
 * A person's name as the page shows it: isolated from the text around it (<bdi>), so a name in
 * a right-to-left script cannot reorder what follows, then the tag that tells look-alike names
 * apart, and the owner's badge.
 */
export function personLabel(user: UserRef, people: People, className = "name"): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const name = document.createElement("bdi");
  name.className = className;
  name.textContent = user.name;
  fragment.append(name);
  const tag = people.tagOf(user.id);
  if (tag) {
    const element = document.createElement("span");
    element.className = "name-tag";
    element.textContent = tag;
    element.title = "Another person here has a name that looks the same";
    fragment.append(element);
  }
  if (people.isOwner(user.id)) {
    const badge = document.createElement("span");
    badge.className = "owner-badge";
    badge.textContent = "owner";
    fragment.append(badge);
  }
  return fragment;
}
