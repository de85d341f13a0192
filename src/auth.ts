import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyOptions,
} from "jose";
import type { AuthConfig } from "./config";
import { BEARER_PROTOCOL_PREFIX, failure, LIMITS, withoutFormatCharacters, type UserRef } from "./protocol";
import { randomId } from "./random-id";

export const TOKEN_ISSUER = "edge-chat";
/** What a token of a session that was signed out is told, wherever it is presented (its hub keeps which were). */
export const SIGNED_OUT = failure(401, "invalid_token", "this session was signed out; sign in again");
/** Distinct audiences keep one kind of token (a session) from being accepted as another (an invite). */
export const SESSION_AUDIENCE = "edge-chat:session";
export const INVITE_AUDIENCE = "edge-chat:invite";

/** Only asymmetric algorithms are taken from an external key set, so a public key can never be used as an HMAC secret. */
const EXTERNAL_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** Names we may repeat in a refusal; anything else in a header is the attacker's text, not logged. */
const KNOWN_ALGORITHMS = new Set(["HS256", "HS384", "HS512", "none", ...EXTERNAL_ALGORITHMS]);
/**
 * Seconds of clock difference forgiven on `exp`, `nbf` and `iat`: a provider's clock, or ours,
 * may be a little off, and a token minted a moment "in the future" must still work.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * A provider's user ids live in their own namespace: its `sub` is whatever it chooses, and
 * without the prefix one could be `g_…`, the same as one of our guests.
 */
export const EXTERNAL_ID_PREFIX = "idp:";

export class AuthError extends Error {
  override name = "AuthError";
}

export async function issueGuestSession(name: string, config: AuthConfig): Promise<IssuedSession> {
  return issueSession({ id: `g_${randomId(12)}`, name }, config);
}

/**
 * A session token of ours for this user, valid for SESSION_TTL_SECONDS from now: sign-in, and
 * renewal. `sid` names the session: a renewal keeps it, so signing out (revoking it in the
 * person's hub) ends every token of that session at once, old and renewed alike.
 */
export async function issueSession(user: UserRef, config: AuthConfig, sessionId = randomId(16)): Promise<IssuedSession> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + config.sessionTtlSeconds;
  const token = await new SignJWT({ name: user.name, sid: sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(config.secret);
  return { token, user, expiresAt: expiresAt * 1000, sessionId };
}

export interface IssuedSession {
  token: string;
  user: UserRef;
  expiresAt: number;
  sessionId: string;
}

/**
 * Who a verified token names, until when (ms), and who issued it: we renew our own, a provider
 * its. `sessionId` is our tokens' `sid`; tokens issued before sessions had ids carry none.
 */
export interface VerifiedSession {
  user: UserRef;
  expiresAt: number;
  issuer: "edge-chat" | "provider";
  sessionId?: string;
}

/** Verifies a session token, ours (HS256) or an external provider's (its JWK set). */
export async function verifySessionToken(token: string, config: AuthConfig): Promise<VerifiedSession> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new AuthError("token is not a JWT");
  }
  try {
    if (alg === "HS256") {
      const { payload } = await verifyWithAny(token, config.verificationSecrets, {
        algorithms: ["HS256"],
        issuer: TOKEN_ISSUER,
        audience: SESSION_AUDIENCE,
        requiredClaims: ["sub", "exp", "iat"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const session: VerifiedSession = { user: userFromClaims(payload), expiresAt: payload.exp! * 1000, issuer: "edge-chat" };
      if (typeof payload.sid === "string" && payload.sid !== "") session.sessionId = payload.sid;
      return session;
    }
    if (config.jwks && alg && EXTERNAL_ALGORITHMS.includes(alg)) {
      const { payload } = await jwtVerify(token, remoteKeySet(config.jwks.url), {
        algorithms: EXTERNAL_ALGORITHMS,
        issuer: config.jwks.issuer,
        audience: config.jwks.audience,
        requiredClaims: ["sub", "exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return { user: userFromClaims(payload, EXTERNAL_ID_PREFIX), expiresAt: payload.exp! * 1000, issuer: "provider" };
    }
  } catch (error) {
    throw new AuthError(describeJoseError(error));
  }
  const named = alg !== undefined && KNOWN_ALGORITHMS.has(alg) ? `"${alg}"` : "that algorithm";
  throw new AuthError(`tokens signed with ${named} are not accepted`);
}

/** An invite link's token: the room, the invite's id (`jti`) and its expiry, signed like sessions. */
export async function signInvite(room: string, inviteId: string, expiresAt: number, secret: Uint8Array): Promise<string> {
  return new SignJWT({ room, purpose: "invite" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setJti(inviteId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(INVITE_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(secret);
}

/** Checks an invite token is ours, current, and for this room; returns the invite's id. */
export async function verifyInvite(token: string, room: string, secrets: Uint8Array[]): Promise<string> {
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyWithAny(token, secrets, {
      algorithms: ["HS256"],
      issuer: TOKEN_ISSUER,
      audience: INVITE_AUDIENCE,
      requiredClaims: ["jti", "exp"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new AuthError("this invite has expired; ask for a new one");
    throw new AuthError("this invite link is not valid");
  }
  if (payload.room !== room || payload.purpose !== "invite") throw new AuthError("this invite is for another room");
  return payload.jti!;
}

/**
 * Verifies against each secret in turn, so tokens signed before a rotation stay valid until
 * they expire. Only a bad signature moves on to the next secret; any other failure is final.
 */
async function verifyWithAny(token: string, secrets: Uint8Array[], options: JWTVerifyOptions) {
  for (const [index, secret] of secrets.entries()) {
    try {
      return await jwtVerify(token, secret, options);
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed) || index === secrets.length - 1) throw error;
    }
  }
  throw new errors.JWSSignatureVerificationFailed();
}

const SOCKET_ROUTE = /^\/api\/(rooms\/[^/]+|me)\/ws$/;

/** A WebSocket upgrade on a route that takes one: the only requests whose token may ride in the URL, and which are refused with a close code. */
export function isSocketUpgrade(request: Request): boolean {
  return request.headers.get("Upgrade")?.toLowerCase() === "websocket" && SOCKET_ROUTE.test(new URL(request.url).pathname);
}

/**
 * Finds the token a request carries: `Authorization: Bearer`, then the WebSocket subprotocol
 * `bearer.<jwt>` (browsers cannot set headers on a WebSocket). `?token=` is a last resort for
 * WebSocket clients that can set neither, and only for an upgrade on a socket route: a token
 * in a URL ends up in access logs, histories and Referer headers, so no other route accepts one,
 * whatever headers the request carries.
 */
export function tokenFromRequest(request: Request): string | undefined {
  const authorization = request.headers.get("Authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  const bearer = subprotocolValue(request, BEARER_PROTOCOL_PREFIX);
  if (bearer !== undefined) return bearer;
  return isSocketUpgrade(request) ? (new URL(request.url).searchParams.get("token") ?? undefined) : undefined;
}

/** The value of the first offered subprotocol that starts with `prefix` (`bearer.`, `invite.`). */
export function subprotocolValue(request: Request, prefix: string): string | undefined {
  return offeredSubprotocols(request).find((protocol) => protocol.startsWith(prefix))?.slice(prefix.length);
}

export function offeredSubprotocols(request: Request): string[] {
  const header = request.headers.get("Sec-WebSocket-Protocol");
  return header ? header.split(",").map((p) => p.trim()).filter(Boolean) : [];
}

function userFromClaims(payload: JWTPayload, namespace = ""): UserRef {
  if (!payload.sub) throw new AuthError("token subject is missing");
  const id = namespace + payload.sub;
  if (id.length > LIMITS.maxUserIdChars) throw new AuthError("token subject is too long");
  const name = [payload.name, payload.preferred_username, payload.email].find(
    (claim): claim is string => typeof claim === "string" && claim.trim() !== "",
  );
  return { id, name: displayableName(name ?? payload.sub) };
}

/**
 * Guests' names were checked at sign-in; an external provider may send a name we would refuse
 * from a guest, and we make it displayable rather than lock the user out.
 */
function displayableName(raw: string): string {
  const cleaned = withoutFormatCharacters(raw.toWellFormed().replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "")).trim();
  return Array.from(cleaned).slice(0, LIMITS.maxNameChars).join("") || "user";
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** One cached key set per URL and isolate: jose refetches it only on an unknown key id or after its cooldown. */
function remoteKeySet(url: URL): ReturnType<typeof createRemoteJWKSet> {
  let keySet = keySets.get(url.href);
  if (!keySet) {
    keySet = createRemoteJWKSet(url);
    keySets.set(url.href, keySet);
  }
  return keySet;
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid: ${error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature is invalid";
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return "token was signed by an unknown key";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return "the identity provider's key set could not be loaded";
  }
  if (error instanceof errors.JOSEError) return "token is malformed";
  throw error;
}
