import type { Member, Role, RoomInfo, UserRef, WelcomeFrame } from "../../../protocol";
import type { ChatClient } from "../../chat-client";
import { Emitter } from "../../emitter";
import { People } from "./people";

/**
 * What changed, so the page draws only that again: the room's record, the user's mute, the
 * member list, or `people`: how someone is shown (a look-alike tag, a role) or what the user
 * may do to them and their messages, which every message and the member list show.
 */
export type StateChange = "room" | "mute" | "members" | "people";

export interface MuteState {
  muted: boolean;
  /** Until when (ms); null: until a moderator unmutes. */
  until?: number | null;
}

const RANK: Record<Role, number> = { member: 0, moderator: 1, owner: 2 };

/**
 * The room page's one source of truth: who the user is, the room, the user's role and mute, and
 * the roles of everyone listed, kept from the client's welcome, members, presence and muted
 * frames. The member list, the messages and their actions all read it, so what a role shows
 * and what it lets the user do never disagree.
 */
export class RoomState extends Emitter<{ change: ReadonlySet<StateChange> }> {
  /** Names, presence and look-alike tags of everyone the page knows of. */
  readonly people = new People();
  room: RoomInfo | undefined;
  mute: MuteState = { muted: false };
  private readonly roles = new Map<string, "owner" | "moderator">();

  constructor(readonly you: UserRef) {
    super();
  }

  follow(client: ChatClient): void {
    client.on("welcome", (welcome) => this.welcome(welcome));
    client.on("members", (list) => this.members(list));
    client.on("muted", (mute) => this.report(this.setMute(mute) ? ["mute"] : []));
    client.on("presence", ({ joined, left }) => {
      const retagged = this.people.presence(joined, left, Date.now());
      this.report(retagged ? ["members", "people"] : ["members"]);
    });
  }

  /** The creator of the room is its owner even when the list does not reach them. */
  roleOf(id: string): Role {
    if (this.room?.owner !== undefined && id === this.room.owner) return "owner";
    return this.roles.get(id) ?? "member";
  }

  get role(): Role {
    return this.roleOf(this.you.id);
  }

  mayEdit(authorId: string): boolean {
    return authorId === this.you.id;
  }

  /** The author deletes their own message; owners and moderators delete anyone's. */
  mayDelete(authorId: string): boolean {
    return authorId === this.you.id || this.role !== "member";
  }

  /** Owners and moderators act on those of lower rank only, as the room allows: never on themselves, a moderator never on another. */
  mayModerate(memberId: string): boolean {
    return memberId !== this.you.id && RANK[this.role] > RANK[this.roleOf(memberId)];
  }

  /** Only owners appoint and dismiss moderators. */
  get mayAppoint(): boolean {
    return this.role === "owner";
  }

  private welcome(welcome: WelcomeFrame): void {
    const ownerBefore = this.room?.owner;
    this.room = welcome.room;
    const changes: StateChange[] = ["room", "members"];
    const retagged = this.people.setMembers(welcome.members);
    // The welcome's own `role` speaks for the user even when a large room's list leaves them out.
    const reroled = this.setRoles([...welcome.members, { id: this.you.id, role: welcome.role }]);
    if (retagged || reroled || ownerBefore !== welcome.room.owner) changes.push("people");
    if (this.setMute(welcome.mutedUntil === undefined ? { muted: false } : { muted: true, until: welcome.mutedUntil })) changes.push("mute");
    this.report(changes);
  }

  private members(list: Member[]): void {
    const retagged = this.people.setMembers(list);
    const reroled = this.setRoles(list);
    this.report(retagged || reroled ? ["members", "people"] : ["members"]);
  }

  /** Takes the roles of the people listed (no role: a plain member); true when any changed. */
  private setRoles(listed: { id: string; role?: "owner" | "moderator" | undefined }[]): boolean {
    let changed = false;
    for (const { id, role } of listed) {
      if (this.roles.get(id) === role) continue;
      changed = true;
      if (role) this.roles.set(id, role);
      else this.roles.delete(id);
    }
    return changed;
  }

  private setMute(mute: MuteState): boolean {
    if (mute.muted === this.mute.muted && (mute.until ?? null) === (this.mute.until ?? null)) return false;
    this.mute = mute.muted ? { muted: true, until: mute.until ?? null } : { muted: false };
    return true;
  }

  private report(changes: StateChange[]): void {
    if (changes.length > 0) this.emit("change", new Set(changes));
  }
}
