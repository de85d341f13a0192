import { DurableObject } from "cloudflare:workers";

/**
 * Counts guest sign-ins from one client address (one object per address, named by it), so
 * guest sessions cannot be minted by the hundred: one client made 300 in 1.4 s, and with them
 * voided the per-user message limit. A sliding window in memory is enough: an address that is
 * signing in is busy, so its object stays in memory; one that is idle has nothing to count.
 *
 * Where the Workers Rate Limiting binding is configured the Worker uses that instead (see
 * src/worker/guest-sign-in-limit.ts); this object is what works everywhere, wrangler dev and
 * tests included.
 */
export class SignInCounter extends DurableObject {
  private times: number[] = [];

  /** Counts one sign-in if the address has room for it; returns 0, or how long until it will. */
  take(limit: number, windowMs: number): number {
    const now = Date.now();
    while (this.times.length > 0 && this.times[0]! <= now - windowMs) this.times.shift();
    if (this.times.length >= limit) return Math.max(1, this.times[0]! + windowMs - now);
    this.times.push(now);
    return 0;
  }
}
