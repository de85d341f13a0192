import { SignJWT, type JWTPayload } from "jose";
import { SESSION_AUDIENCE, TOKEN_ISSUER } from "../../src/auth";

/** Signs a session token the way the Worker does, with any claim overridden, for testing what is refused. */
export async function forgeSessionToken(secret: string, claims: JWTPayload = {}, alg = "HS256"): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: "Mallory", ...claims })
    .setProtectedHeader({ alg, typ: "JWT" })
    .setSubject(claims.sub ?? "g_forged")
    .setIssuer(claims.iss ?? TOKEN_ISSUER)
    .setAudience(claims.aud ?? SESSION_AUDIENCE)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 3600)
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`), which no verifier may accept. */
export function unsecuredToken(claims: JWTPayload): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
}

/** Flips one character of the payload, keeping the signature: what a client editing its own token produces. */
export function tamper(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const flipped = payload.slice(0, -2) + (payload.at(-2) === "A" ? "B" : "A") + payload.at(-1);
  return `${header}.${flipped}.${signature}`;
}
