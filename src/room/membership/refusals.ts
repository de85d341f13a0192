import { failure } from "../../protocol";

/** What a non-member of a private room is told: nothing about the room itself. */
export const NOT_A_MEMBER = failure(403, "forbidden", "you are not a member of this room");
export const UNKNOWN_MEMBER = failure(400, "unknown_user", "no member of this room has that id");
export const OWNER_ONLY = failure(403, "forbidden", "only the room's owner may do that");
