import type { UserRef, Visibility } from "./frames";

// The user's home: the hub socket (`GET /api/me/ws`), `GET /api/me/rooms` and `POST /api/dm`.

/** One of the user's rooms as their home lists it; the counts are the room's, made when asked. */
export interface HomeRoom {
  id: string;
  title?: string;
  visibility: Visibility;
  role: "owner" | "member";
  /** A one-to-one conversation; its title is then the other person's name. */
  direct?: true;
  /** In a one-to-one conversation, the other person (whom the home page offers to block). */
  other?: UserRef;
  /** The room's newest seq. */
  seq: number;
  /** The user's read position: everything up to it has been seen. */
  lastReadSeq: number;
  /** Messages after lastReadSeq the user may see, not counting their own. */
  unread: number;
  /** Of those, the direct messages to the user and the messages that @-mention them. */
  mentions: number;
  /** The newest message the user may see, its text as one plain line (plain-text.ts) cut to LIMITS.homePreviewChars. */
  last?: { from: UserRef; text: string; ts: number };
}

export interface HomeRoomsFrame {
  type: "rooms";
  rooms: HomeRoom[];
}

/** A room of the user's changed: a new message, their read position, or they joined it. */
export interface HomeRoomFrame {
  type: "room";
  room: HomeRoom;
}

/** The user left the room or was removed from it. */
export interface HomeRoomLeftFrame {
  type: "room_left";
  id: string;
}

export type HomeFrame = HomeRoomsFrame | HomeRoomFrame | HomeRoomLeftFrame;

/** `POST /api/dm`: a one-to-one conversation with this user. */
export interface DirectRequest {
  user: string;
}

/** `GET`/`PUT /api/me/settings`: a person's choices about their conversations. */
export interface ConversationSettings {
  /** A direct conversation they left comes back to their home when someone they have not blocked writes in it. */
  reopenOnMessage: boolean;
}

/** `GET /api/me/blocked`: the people you blocked, most recent first, with the name you knew them by when you blocked them. */
export interface BlockedList {
  blocked: { id: string; name?: string; blockedAt: number }[];
}

/** `PUT /api/me/blocked/:userId`'s optional body: the name to list them under. */
export interface BlockRequest {
  name?: string;
}

/** `GET /api/me/rooms` */
export interface HomeRoomsResponse {
  rooms: HomeRoom[];
}
