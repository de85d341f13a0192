import type { Failure, Result, RoomInfo, UserRef } from "../../protocol";
import type { HomePlace, RoomHome } from "../home/room-home";
import type { MemberExit } from "./member-exit";
import type { MemberList } from "./member-list";
import type { RoomAccess } from "./room-access";

/**
 * Every way someone becomes a member goes through here: by socket, join, first post, creating
 * a room, a direct conversation, or being given the room back. A newcomer needs two yeses: the
 * room's (room-access.ts) and their hub's, which counts the room against ROOMS_PER_USER. The
 * room asks itself first, writing nothing, so a refused person costs no hub a call; it asks again
 * after the hub answers, since an invite may have been used up or a ban made meanwhile, and
 * gives the hub's place back if the answer changed.
 */
export class MemberEntry {
  constructor(
    private readonly access: RoomAccess,
    private readonly members: MemberList,
    private readonly home: RoomHome,
    private readonly exit: MemberExit,
  ) {}

  /**
   * A socket's way in. A newcomer whose entry takes nothing (a public room, no invite, no
   * removal lifted) is let in at once, and their hub is asked once the connection is open
   * (`confirm`): a crowd arriving at an event waits on no hub. A hub that refuses then turns
   * them away, as a removal would, with its reason; nothing of anyone else's was spent on them.
   * Any other newcomer waits for the hub, as on every other path.
   */
  async admitSocket(roomId: string, user: UserRef, inviteId?: string): Promise<Result<{ room: RoomInfo; joined: boolean; confirm?: () => Promise<void> }>> {
    if (this.members.has(user.id)) return this.access.admit(roomId, user, Date.now(), inviteId);
    const terms = this.access.termsOfEntry(user, Date.now(), inviteId);
    if (!terms.ok) return terms;
    if (terms.usesInvite !== undefined || terms.liftsRemoval) return this.admit(roomId, user, inviteId);
    const admitted = this.access.admit(roomId, user, Date.now(), inviteId);
    if (!admitted.ok || !admitted.joined) return admitted;
    return { ...admitted, confirm: () => this.confirm(user, roomId) };
  }

  /** Lets the user in by the room's rules, making a newcomer a member if their hub has room for it. */
  async admit(roomId: string, user: UserRef, inviteId?: string): Promise<Result<{ room: RoomInfo; joined: boolean }>> {
    // A member coming back asks nobody else: the common case stays one synchronous check.
    if (this.members.has(user.id)) return this.access.admit(roomId, user, Date.now(), inviteId);
    const terms = this.access.termsOfEntry(user, Date.now(), inviteId);
    if (!terms.ok) return terms;
    const reserved = await this.home.reserve(user.id, roomId, false);
    if (!reserved.ok) return reserved;
    const admitted = this.access.admit(roomId, user, Date.now(), inviteId);
    await this.settle(user.id, roomId, reserved.place);
    return admitted;
  }

  /**
   * Makes people members by the room's own doing (its creator, a direct conversation's two
   * people): `join` adds them, and runs only once every one's hub has made room for it.
   * Otherwise nothing is joined, and the refusal names whose hub refused.
   */
  async found(users: UserRef[], roomId: string, join: () => void): Promise<(Failure & { user: UserRef }) | undefined> {
    const places: (HomePlace | undefined)[] = [];
    for (const user of users) {
      const reserved = await this.home.reserve(user.id, roomId, false);
      if (!reserved.ok) {
        for (const earlier of users.slice(0, places.length)) await this.settle(earlier.id, roomId, undefined);
        return { ...reserved, user };
      }
      places.push(reserved.place);
    }
    join();
    for (const [i, user] of users.entries()) await this.settle(user.id, roomId, places[i]);
    return undefined;
  }

  /** Someone the room took back (a ban's end, a readmission) is on their home again, whatever their count. */
  async restored(user: UserRef, roomId: string): Promise<void> {
    const reserved = await this.home.reserve(user.id, roomId, true);
    this.home.entered(user.id, reserved.ok ? reserved.place : undefined);
  }

  private async confirm(user: UserRef, roomId: string): Promise<void> {
    const reserved = await this.home.reserve(user.id, roomId, false);
    if (reserved.ok) return this.home.entered(user.id, reserved.place);
    if (this.members.remove(user.id)) await this.exit.shut(user.id, "in too many rooms", reserved.message);
  }

  /** A member now keeps the hub's place; someone refused after all gives it back. */
  private async settle(userId: string, roomId: string, place: HomePlace | undefined): Promise<void> {
    if (this.members.has(userId)) this.home.entered(userId, place);
    else await this.home.left(userId, roomId);
  }
}
