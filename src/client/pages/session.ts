import type { SessionResponse } from "../../protocol";

const KEY = "edge-chat:session";
/** A session that expires within this margin is treated as expired, so no connection starts with a dying token. */
const EXPIRY_MARGIN_MS = 60_000;

/** The signed-in session, kept in localStorage so every tab of this origin shares it. */
export function loadSession(): SessionResponse | undefined {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? "null") as SessionResponse | null;
    if (!session?.token || !session.user?.id) return undefined;
    if (session.expiresAt - EXPIRY_MARGIN_MS < Date.now()) {
      clearSession();
      return undefined;
    }
    return session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: SessionResponse): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

/**
 * Why the sign-in page was shown, as a code: the page shows its own words for each, never text
 * from the URL, which anyone could craft into a convincing fake notice.
 */
export const SIGN_IN_REASONS = {
  "signed-out": "You were signed out (your session expired or was refused). Sign in again to continue.",
} as const;
export type SignInReason = keyof typeof SIGN_IN_REASONS;

/** Sends the browser to sign-in, to come back to `next` afterwards, saying why if there is a reason. */
export function goToSignIn(next: string, reason?: SignInReason): void {
  const url = new URL("/", location.origin);
  url.searchParams.set("next", next);
  if (reason) url.searchParams.set("reason", reason);
  location.assign(url.toString());
}
