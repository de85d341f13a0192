import type { UserRef } from "../protocol";

/** The user a token names; read without verifying it, which is the server's job. */
export function userFromToken(token: string): UserRef {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    const id = typeof claims.sub === "string" ? claims.sub : "";
    const name = [claims.name, claims.preferred_username, claims.email].find((v) => typeof v === "string") as string | undefined;
    return { id, name: name ?? id };
  } catch {
    return { id: "", name: "" };
  }
}
