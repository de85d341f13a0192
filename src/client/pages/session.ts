import type { SessionResponse } from "../../protocol";
import { ApiError, ChatApi } from "../api";
import { tokenLifetime } from "../token-claims";

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

/** How often an open page checks whether its session is due for renewal. */
const RENEW_CHECK_MS = 3600_000;

/**
 * Renews the session when less than half its lifetime is left, on page load and hourly while
 * the page is open, so a person who comes back at least once per lifetime keeps their id (and
 * rooms) for ever. Other tabs see the new session through `storage` events; `onRenewed` gets
 * it in every tab. Returns a function that stops it.
 */
export function keepSessionFresh(onRenewed: (session: SessionResponse) => void, now = () => Date.now()): () => void {
  const check = async () => {
    const session = loadSession();
    const lifetime = session && tokenLifetime(session.token);
    if (!session || !lifetime || now() < (lifetime.issuedAt + lifetime.expiresAt) / 2) return;
    try {
      const renewed = await new ChatApi(location.origin, session.token).refreshSession();
      saveSession(renewed);
      onRenewed(renewed);
    } catch (error) {
      // A provider's token (400) is renewed by the provider; a network failure is tried next hour.
      if (!(error instanceof ApiError)) return;
    }
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    const session = loadSession();
    if (session) onRenewed(session);
  };
  void check();
  const timer = setInterval(() => void check(), RENEW_CHECK_MS);
  addEventListener("storage", onStorage);
  return () => {
    clearInterval(timer);
    removeEventListener("storage", onStorage);
  };
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
