import type { UserRef } from "../protocol";

/** The claims of a JWT, read without verifying it; undefined for what is not one. */
function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** When a token was issued and when it expires (ms), if it says. */
export function tokenLifetime(token: string): { issuedAt: number; expiresAt: number } | undefined {
  const claims = claimsOf(token);
  if (typeof claims?.iat !== "number" || typeof claims.exp !== "number") return undefined;
  return { issuedAt: claims.iat * 1000, expiresAt: claims.exp * 1000 };
}

/** The user a token names; read without verifying it, which is the server's job. */
export function userFromToken(token: string): UserRef {
  const claims = claimsOf(token);
  if (!claims) return { id: "", name: "" };
  const id = typeof claims.sub === "string" ? claims.sub : "";
  const name = [claims.name, claims.preferred_username, claims.email].find((v) => typeof v === "string") as string | undefined;
  return { id, name: name ?? id };
}
