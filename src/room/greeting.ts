import type { RoomInfo, RoomSnapshot, UserRef, WelcomeFrame } from "../protocol";
import type { MemberRoster } from "./member-roster";
import type { MessageLog } from "./message-log";
import type { Moderation } from "./moderation";
import type { OnlineIndex } from "./presence";

/** What a greeting is read from: the room's log, its roster, who is online, and roles and mutes. */
export interface GreetingParts {
  log: Pick<MessageLog, "latestSeq">;
  roster: Pick<MemberRoster, "list">;
  online: Pick<OnlineIndex, "size">;
  roles: Pick<Moderation, "roleOf" | "mutedUntil">;
}

/**
 * What a person is told on arriving, however they arrive: a socket's `welcome`, and the answers
 * of `POST /join` and `GET /api/rooms/:room`. One shape for all of them, so a client over HTTP
 * knows its role and its mute as a socket's does.
 */
export function welcomeFrame(parts: GreetingParts, room: RoomInfo, you: UserRef, now: number): WelcomeFrame {
  const welcome: WelcomeFrame = { type: "welcome", room, you, seq: parts.log.latestSeq(), members: parts.roster.list(), online: parts.online.size };
  const role = parts.roles.roleOf(you.id);
  if (role !== "member") welcome.role = role;
  const mutedUntil = parts.roles.mutedUntil(you.id, now);
  if (mutedUntil !== undefined) welcome.mutedUntil = mutedUntil;
  return welcome;
}

/** The greeting as an HTTP body: the welcome without its frame type. */
export function roomSnapshot(welcome: WelcomeFrame): RoomSnapshot {
  const { type: _, ...snapshot } = welcome;
  return snapshot;
}
