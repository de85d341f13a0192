import { failure, type Result } from "../../protocol";
import { AuthError, SIGNED_OUT, verifySessionToken } from "../../auth";
import { readAuthConfig } from "../../config";
import type { Env } from "../../env";

/**
 * Checks an `auth` frame's token for an open connection: it must be valid, name the same
 * person, and belong to a session that was not signed out (their hub keeps which were).
 * Returns the new expiry (ms), or why it was refused. The room verifies it itself: the Worker
 * is not on a socket's path once it is open.
 */
export async function renewedExpiry(env: Env, userId: string, token: string): Promise<Result<{ expiresAt: number }>> {
  try {
    const session = await verifySessionToken(token, readAuthConfig(env));
    if (session.user.id !== userId) return failure(401, "invalid_token", "that token is for someone else");
    if (session.sessionId !== undefined && (await env.HUBS.get(env.HUBS.idFromName(userId)).sessionRevoked(session.sessionId))) {
      return SIGNED_OUT;
    }
    return { ok: true, expiresAt: session.expiresAt };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return failure(401, "invalid_token", error.message);
  }
}
