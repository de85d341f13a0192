import { readGuestLimit } from "../config";
import type { Env } from "../env";
import { signInKey } from "./sign-in-key";

/**
 * Whether this request may mint a guest session: how long it must wait, or 0. Keyed by the
 * client's address (CF-Connecting-IP, which Cloudflare sets and a client cannot). Cloudflare's
 * Rate Limiting binding answers without a round trip to an object when it is configured
 * (GUEST_SIGNIN_RATE_LIMITER in wrangler.toml, its limit and period set there); otherwise a
 * SignInCounter object per address counts with GUEST_SIGNINS_PER_IP and
 * GUEST_SIGNIN_WINDOW_SECONDS.
 */
export async function guestSignInWait(env: Env, request: Request): Promise<number> {
  const address = signInKey(request.headers.get("CF-Connecting-IP") ?? "unknown");
  const { perAddress, windowMs } = readGuestLimit(env);
  if (env.GUEST_SIGNIN_RATE_LIMITER) {
    const { success } = await env.GUEST_SIGNIN_RATE_LIMITER.limit({ key: address });
    return success ? 0 : windowMs;
  }
  return env.SIGN_IN_COUNTERS.get(env.SIGN_IN_COUNTERS.idFromName(address)).take(perAddress, windowMs);
}

