import type { Member, UserRef } from "../../../protocol";

// Letters of other scripts that look like Latin ones; enough to catch "Adа" (Cyrillic а) passing
// for "Ada". Unicode's full confusables table is larger; this covers the Cyrillic and Greek
// letters that are drawn the same as Latin in common fonts.
const LOOK_ALIKES: Record<string, string> = {
  а: "a", в: "b", е: "e", ё: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x",
  і: "i", ї: "i", ј: "j", ѕ: "s", ԁ: "d", ԛ: "q", ԝ: "w", ӏ: "l", ɡ: "g",
  α: "a", β: "b", ε: "e", η: "n", ι: "i", κ: "k", ν: "v", ο: "o", ρ: "p", τ: "t", υ: "u", χ: "x", ω: "w",
  "0": "o", "1": "l",
};

/** What a name looks like on screen, as far as telling two apart goes: case, width and script look-alikes folded. */
export function nameSkeleton(name: string): string {
  return Array.from(name.normalize("NFKC").toLowerCase(), (char) => LOOK_ALIKES[char] ?? char)
    .join("")
    .replace(/\s+/g, " ");
}

/**
 * Everyone the page knows of in this room (the member list, and whoever wrote a message shown),
 * and how to tell them apart: people whose names look the same get a short tag from their id,
 * so a copy of "Ada" (or of the owner) never passes for the first.
 */
export class People {
  private readonly known = new Map<string, UserRef>();
  private members = new Map<string, Member>();
  private tags = new Map<string, string>();

  /** Replaces the member list; true when it changed who needs a tag. */
  setMembers(list: Member[]): boolean {
    this.members = new Map(list.map((member) => [member.id, member]));
    for (const member of list) this.known.set(member.id, member);
    return this.retag();
  }

  /** Records presence changes; true when they changed who needs a tag. */
  presence(joined: UserRef[], left: UserRef[], now: number): boolean {
    for (const user of joined) this.members.set(user.id, { ...user, online: true, lastSeen: now });
    for (const user of left) this.members.set(user.id, { ...user, online: false, lastSeen: now });
    for (const user of [...joined, ...left]) this.known.set(user.id, user);
    return this.retag();
  }

  /** Notes the author of a message; true when it changed who needs a tag. */
  noteAuthor(user: UserRef): boolean {
    const before = this.known.get(user.id);
    if (before?.name === user.name) return false;
    this.known.set(user.id, user);
    return this.retag();
  }

  memberList(): Member[] {
    return [...this.members.values()];
  }

  nameOf(id: string): string {
    return this.known.get(id)?.name ?? "someone";
  }

  /** A short tag from the id for someone whose name looks like another's, else undefined. */
  tagOf(id: string): string | undefined {
    return this.tags.get(id);
  }

  private retag(): boolean {
    const bySkeleton = new Map<string, string[]>();
    for (const { id, name } of this.known.values()) {
      const skeleton = nameSkeleton(name);
      bySkeleton.set(skeleton, [...(bySkeleton.get(skeleton) ?? []), id]);
    }
    const tags = new Map<string, string>();
    for (const ids of bySkeleton.values()) if (ids.length > 1) for (const id of ids) tags.set(id, `#${id.slice(-4)}`);
    const changed = tags.size !== this.tags.size || [...tags].some(([id, tag]) => this.tags.get(id) !== tag);
    this.tags = tags;
    return changed;
  }
}
