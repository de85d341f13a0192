import { createMiddleware } from "hono/factory";
import { readAllowedOrigins } from "../config";
import { logEvent } from "../log-lines";
import type { AppEnv } from "./app-env";
import { refuse } from "./api-exception";

/**
 * Refuses WebSocket upgrades from pages of other sites (cross-site WebSocket hijacking).
 * Browsers always send Origin on an upgrade; clients without one (bots, terminals) are not
 * browsers and cannot be tricked into connecting, so they pass.
 */
export const checkOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("Origin");
  if (origin === undefined || originAllowed(origin, new URL(c.req.url), readAllowedOrigins(c.env))) return next();
  logEvent("worker.origin_refused", { origin: origin.slice(0, 200) });
  refuse("forbidden", "pages from this origin may not open chat connections; see ALLOWED_ORIGINS");
});

function originAllowed(origin: string, request: URL, allowed: string[]): boolean {
  if (origin === request.origin || allowed.includes(origin)) return true;
  // In local development the page and the socket may use different loopback names and ports.
  try {
    return isLoopback(request.hostname) && isLoopback(new URL(origin).hostname);
  } catch {
    return false; // "null" (sandboxed frames, files) and other non-URLs
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}
