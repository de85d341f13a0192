import type { VerifiedSession } from "../auth";
import type { Env } from "../env";
import type { UserRef } from "../protocol";

/** Hono's view of a request: the Worker's bindings, and the user once authenticated. */
export interface AppEnv {
  Bindings: Env;
  Variables: { user: UserRef; session: VerifiedSession };
}
