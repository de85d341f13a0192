import type { Env } from "../env";

/** A person's hub (src/hub/user-hub.ts), addressed by their user id. */
export function hubOf(env: Env, userId: string) {
  return env.HUBS.get(env.HUBS.idFromName(userId));
}
