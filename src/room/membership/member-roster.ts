import { LIMITS, type Member, type MembersFrame } from "../../protocol";
import type { MemberList } from "./member-list";
import type { Moderation } from "./moderation";
import type { OnlineIndex } from "../connections/presence";

/** How long one `members` answer serves every `who` (see frame). */
const MEMBERS_CACHE_MS = 1000;

/** The list of people a room shows: who is online now, then who was here lately. */
export class MemberRoster {
  private cached: { at: number; frame: string } | undefined;

  constructor(
    private readonly online: OnlineIndex,
    private readonly members: MemberList,
    private readonly moderation: Moderation,
  ) {}

  /**
   * Who is in the room, as `welcome`, `members` and the snapshot list it: everyone online
   * (longest online first), then the members seen most recently, at most LIMITS.listedMembers.
   * The whole roll of a large room would ride on every arrival, and after a deploy everyone
   * arrives at once: 5,000 members would each be sent 5,000 entries.
   */
  list(): Member[] {
    const listed: Member[] = this.online
      .users(LIMITS.listedMembers)
      .map(({ user, since }) => ({ id: user.id, name: user.name, online: true, lastSeen: since }));
    const free = LIMITS.listedMembers - listed.length;
    // The most recently seen include the members online; read enough to skip them all.
    const offline = free === 0 ? [] : this.members
      .recentlySeen(free + listed.length)
      .filter((member) => !this.online.isOnline(member.id))
      .slice(0, free);
    const all = listed.concat(offline.map(({ id, name, lastSeen }) => ({ id, name, online: false, lastSeen })));
    const roles = this.moderation.rolesOf(all.map((member) => member.id));
    for (const member of all) {
      const role = roles.get(member.id);
      if (role) member.role = role;
    }
    return all;
  }

  /**
   * The `members` answer, built at most once per MEMBERS_CACHE_MS: many connections asking at
   * once share one read of the member table. Presence frames carry what changes in between.
   */
  frame(now: number): string {
    if (!this.cached || now - this.cached.at > MEMBERS_CACHE_MS) {
      const frame: MembersFrame = { type: "members", members: this.list(), online: this.online.size };
      this.cached = { at: now, frame: JSON.stringify(frame) };
    }
    return this.cached.frame;
  }
}
