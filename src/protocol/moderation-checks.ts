import type { ForRequest, RoleRequest } from "./api-bodies";
import { LIMITS } from "./constants";
import { isObject } from "./guards";
import { fail, ok, type Checked } from "./result";

/** The body of `PUT /api/rooms/:room/members/:id`. */
export function checkRoleRequest(value: unknown): Checked<RoleRequest> {
  if (isObject(value) && (value.role === "moderator" || value.role === "member")) return ok({ role: value.role });
  return fail("bad_message", 'role must be "moderator" or "member"');
}

/** The body of a mute or ban: `{"seconds"}` for a time, or nothing for until lifted. */
export function checkForRequest(value: unknown): Checked<ForRequest> {
  if (value === undefined || (isObject(value) && value.seconds === undefined)) return ok({});
  const seconds = isObject(value) ? value.seconds : undefined;
  if (Number.isSafeInteger(seconds) && (seconds as number) >= 1 && (seconds as number) <= LIMITS.maxModerationSeconds) return ok({ seconds: seconds as number });
  return fail("bad_message", `seconds must be a whole number from 1 to ${LIMITS.maxModerationSeconds} (30 days), or left out for until lifted`);
}
