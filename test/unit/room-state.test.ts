import { describe, expect, it } from "vitest";
import type { ChatClient, ChatClientEvents } from "../../src/client/chat-client";
import { Emitter } from "../../src/client/emitter";
import { RoomState } from "../../src/client/pages/room/room-state";
import type { WelcomeFrame } from "../../src/protocol";

const [owner, mod, otherMod, member] = [
  { id: "g_owner", name: "Owner" },
  { id: "g_mod", name: "Mod" },
  { id: "g_mod2", name: "Mod Two" },
  { id: "g_member", name: "Member" },
];

/** The room page's state for `you`, after a welcome listing everyone with their roles. */
/** Stands in for the client: the page's state only listens to it. */
class FakeClient extends Emitter<ChatClientEvents> {
  welcome(frame: WelcomeFrame): void {
    this.emit("welcome", frame);
  }
}

function stateOf(you: { id: string; name: string }): RoomState {
  const client = new FakeClient();
  const state = new RoomState(you);
  state.follow(client as unknown as ChatClient);
  const role = you === owner ? "owner" : you === mod ? "moderator" : undefined;
  const welcome: WelcomeFrame = {
    ...(role ? { role } : {}),
    type: "welcome",
    room: { id: "r", visibility: "public", owner: owner.id },
    you,
    seq: 0,
    members: [
      { ...owner, online: true, lastSeen: 0, role: "owner" },
      { ...mod, online: true, lastSeen: 0, role: "moderator" },
      { ...otherMod, online: true, lastSeen: 0, role: "moderator" },
      { ...member, online: true, lastSeen: 0 },
    ],
  };
  client.welcome(welcome);
  return state;
}

describe("what the room page offers to moderate", () => {
  it("lets a moderator act on plain members only, as the room allows", () => {
    const state = stateOf(mod);
    expect([owner, mod, otherMod, member].map((p) => state.mayModerate(p.id))).toEqual([false, false, false, true]);
  });

  it("lets an owner act on moderators and members, and a member on nobody", () => {
    expect([owner, mod, otherMod, member].map((p) => stateOf(owner).mayModerate(p.id))).toEqual([false, true, true, true]);
    expect([owner, mod, otherMod, member].map((p) => stateOf(member).mayModerate(p.id))).toEqual([false, false, false, false]);
  });
});
