/** The Worker's variables and secrets, all strings as wrangler passes them; see docs/configuration.md. */
export interface Variables {
  /** HS256 key for session tokens; at least 32 bytes. A secret: `wrangler secret put JWT_SECRET`. */
  JWT_SECRET?: string;
  /** The secret before the last rotation: still accepted when verifying, never used to sign. */
  JWT_SECRET_PREVIOUS?: string;
  ALLOW_GUESTS?: string;
  SESSION_TTL_SECONDS?: string;
  /** Optional external identity provider: tokens signed by this JWK set are accepted too. */
  JWT_JWKS_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  HISTORY_LIMIT?: string;
  RATE_LIMIT_MESSAGES?: string;
  RATE_LIMIT_WINDOW_SECONDS?: string;
  /** Comma-separated origins whose pages may open sockets, besides the Worker's own. */
  ALLOWED_ORIGINS?: string;
  /** A socket silent this long (no ping, no frame) is closed and its user counted as gone. */
  STALE_CONNECTION_SECONDS?: string;
  /** A connection's `who` is answered at most once per this many seconds. */
  WHO_INTERVAL_SECONDS?: string;
  /** Open sockets one user may hold in one room, and all users together. */
  SOCKETS_PER_USER?: string;
  SOCKETS_PER_ROOM?: string;
  /** Sockets the room object holds itself; past it, connections go to fan-out shards of this many each (src/shard/). */
  SHARD_CAPACITY?: string;
  /** Long-polls one user may have waiting in one room, and all users together. */
  LONG_POLLS_PER_USER?: string;
  LONG_POLLS_PER_ROOM?: string;
  /** Guest sign-ins one client address may make per window. */
  GUEST_SIGNINS_PER_IP?: string;
  GUEST_SIGNIN_WINDOW_SECONDS?: string;
  /** Members who joined a room less than this long ago share one message budget... */
  NEW_MEMBER_SECONDS?: string;
  /** ...of this many messages per RATE_LIMIT_WINDOW_SECONDS, all of them together. */
  NEW_MEMBER_MESSAGES?: string;
  /** Largest file one upload may be, in bytes. */
  MAX_FILE_BYTES?: string;
  /** Bytes one person may upload per 24 hours, all rooms together. */
  FILE_QUOTA_BYTES_PER_USER_DAY?: string;
  /** Comma-separated user ids who are owners of every room: the operators who run `lobby` and the other rooms nobody created. */
  ADMIN_USERS?: string;
}

/** A variable that is set but unusable; the message names it so an operator can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export const MIN_SECRET_BYTES = 32;
/** A secret with fewer different characters than this is a placeholder ("aaaa…"), not 32 bytes of entropy. */
const MIN_DISTINCT_CHARACTERS = 8;
const HOW_TO_GENERATE = "generate one with `openssl rand -base64 48`";

export interface AuthConfig {
  /** Signs new tokens. */
  secret: Uint8Array;
  /** Verify tokens: the current secret first, then the previous one during a rotation. */
  verificationSecrets: Uint8Array[];
  allowGuests: boolean;
  sessionTtlSeconds: number;
  jwks?: { url: URL; issuer: string; audience: string };
}

export interface RoomConfig {
  historyLimit: number;
  staleAfterMs: number;
  /** User ids with an owner's powers in every room (ADMIN_USERS). */
  admins: string[];
  rateLimit: { messages: number; windowMs: number };
  whoIntervalMs: number;
  /** perRoom counts every shard's sockets together; shardCapacity is what each object (the room, each shard) holds. */
  sockets: { perUser: number; perRoom: number; shardCapacity: number };
  longPolls: { perUser: number; perRoom: number };
  /** Newcomers' shared budget: members younger than `ageMs` together send at most `messages` per rate-limit window. */
  newcomers: { ageMs: number; messages: number };
}

/** The platform's limit of hibernatable sockets per object; no object (room or shard) is given more than one short of it. */
export const PLATFORM_SOCKETS_PER_OBJECT = 32_768;

export function readAuthConfig(env: Variables): AuthConfig {
  const secret = readSecret(env, "JWT_SECRET");
  if (!secret) {
    throw new ConfigError(
      "JWT_SECRET",
      "JWT_SECRET is not set; set it with `wrangler secret put JWT_SECRET` (npm run dev creates one in .dev.vars)",
    );
  }
  const previous = readSecret(env, "JWT_SECRET_PREVIOUS");
  let jwks: AuthConfig["jwks"];
  if (env.JWT_JWKS_URL) {
    let url: URL;
    try {
      url = new URL(env.JWT_JWKS_URL);
    } catch {
      throw new ConfigError("JWT_JWKS_URL", "JWT_JWKS_URL is not a valid URL");
    }
    // Without both, a token minted for any other app that trusts the same provider would pass.
    if (!env.JWT_ISSUER || !env.JWT_AUDIENCE) {
      const missing = env.JWT_ISSUER ? "JWT_AUDIENCE" : "JWT_ISSUER";
      throw new ConfigError(missing, `JWT_JWKS_URL is set, so ${missing} must be too: JWT_ISSUER and JWT_AUDIENCE name the tokens meant for this app`);
    }
    jwks = { url, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
  }
  return {
    secret,
    verificationSecrets: previous ? [secret, previous] : [secret],
    allowGuests: readBoolean(env, "ALLOW_GUESTS", true),
    sessionTtlSeconds: readPositiveInt(env, "SESSION_TTL_SECONDS", 7 * 24 * 3600),
    jwks,
  };
}

export function readRoomConfig(env: Variables): RoomConfig {
  return {
    historyLimit: readPositiveInt(env, "HISTORY_LIMIT", 10_000),
    staleAfterMs: readPositiveInt(env, "STALE_CONNECTION_SECONDS", 90) * 1000,
    admins: (env.ADMIN_USERS ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
    rateLimit: {
      messages: readPositiveInt(env, "RATE_LIMIT_MESSAGES", 20),
      windowMs: readPositiveInt(env, "RATE_LIMIT_WINDOW_SECONDS", 10) * 1000,
    },
    whoIntervalMs: readPositiveInt(env, "WHO_INTERVAL_SECONDS", 5) * 1000,
    sockets: {
      perUser: readPositiveInt(env, "SOCKETS_PER_USER", 10),
      perRoom: readPositiveInt(env, "SOCKETS_PER_ROOM", 100_000),
      shardCapacity: Math.min(readPositiveInt(env, "SHARD_CAPACITY", 16_000), PLATFORM_SOCKETS_PER_OBJECT - 1),
    },
    longPolls: {
      perUser: readPositiveInt(env, "LONG_POLLS_PER_USER", 5),
      perRoom: readPositiveInt(env, "LONG_POLLS_PER_ROOM", 1000),
    },
    newcomers: {
      ageMs: readPositiveInt(env, "NEW_MEMBER_SECONDS", 60) * 1000,
      messages: readPositiveInt(env, "NEW_MEMBER_MESSAGES", 20),
    },
  };
}

/** The largest upload (MAX_FILE_BYTES, default 10 MiB) and a person's daily total (default 100 MiB). */
export function readFileLimits(env: Variables): { maxBytes: number; quotaPerDay: number } {
  return {
    maxBytes: readPositiveInt(env, "MAX_FILE_BYTES", 10 * 1024 * 1024),
    quotaPerDay: readPositiveInt(env, "FILE_QUOTA_BYTES_PER_USER_DAY", 100 * 1024 * 1024),
  };
}

/** How many guest sessions one client address may mint per window. */
export function readGuestLimit(env: Variables): { perAddress: number; windowMs: number } {
  return {
    perAddress: readPositiveInt(env, "GUEST_SIGNINS_PER_IP", 30),
    windowMs: readPositiveInt(env, "GUEST_SIGNIN_WINDOW_SECONDS", 60) * 1000,
  };
}

type NumericVariable =
  | "MAX_FILE_BYTES"
  | "FILE_QUOTA_BYTES_PER_USER_DAY"
  | "SESSION_TTL_SECONDS"
  | "HISTORY_LIMIT"
  | "RATE_LIMIT_MESSAGES"
  | "RATE_LIMIT_WINDOW_SECONDS"
  | "STALE_CONNECTION_SECONDS"
  | "WHO_INTERVAL_SECONDS"
  | "SOCKETS_PER_USER"
  | "SOCKETS_PER_ROOM"
  | "SHARD_CAPACITY"
  | "LONG_POLLS_PER_USER"
  | "LONG_POLLS_PER_ROOM"
  | "GUEST_SIGNINS_PER_IP"
  | "GUEST_SIGNIN_WINDOW_SECONDS"
  | "NEW_MEMBER_SECONDS"
  | "NEW_MEMBER_MESSAGES";

function readSecret(env: Variables, name: "JWT_SECRET" | "JWT_SECRET_PREVIOUS"): Uint8Array | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const secret = new TextEncoder().encode(raw);
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(name, `${name} is shorter than ${MIN_SECRET_BYTES} bytes; ${HOW_TO_GENERATE} and set it with \`wrangler secret put ${name}\``);
  }
  if (new Set(raw).size < MIN_DISTINCT_CHARACTERS) {
    throw new ConfigError(name, `${name} looks like a placeholder (fewer than ${MIN_DISTINCT_CHARACTERS} different characters); ${HOW_TO_GENERATE}`);
  }
  return secret;
}

/** Origins allowed to open sockets besides the Worker's own, from ALLOWED_ORIGINS. */
export function readAllowedOrigins(env: Variables): string[] {
  return (env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw new ConfigError("ALLOWED_ORIGINS", `ALLOWED_ORIGINS has "${origin}", which is not an origin like https://chat.example.com`);
      }
    });
}

function readPositiveInt(env: Variables, name: NumericVariable, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(name, `${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

function readBoolean(env: Variables, name: "ALLOW_GUESTS", fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(name, `${name} must be "true" or "false", got "${raw}"`);
}
