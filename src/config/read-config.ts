import { ConfigError, readVariable } from "./read-variable";
import type { Variables } from "./variables";

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
  /** Messages kept, and for how long (ms); undefined: all of them, for ever. */
  historyLimit: number | undefined;
  retentionMs: number | undefined;
  staleAfterMs: number;
  /** User ids with an owner's powers in every room (ADMIN_USERS). */
  admins: string[];
  rateLimit: { messages: number; windowMs: number };
  whoIntervalMs: number;
  /** perRoom counts every shard's sockets together; shardCapacity is what each object (the room, each shard) holds. */
  sockets: { perUser: number; perRoom: number; shardCapacity: number };
  /** `reserved` of the room's places take only a person's first waiting read. */
  longPolls: { perUser: number; perRoom: number; reserved: number };
  /** Searches one person may make here per minute (shared/search-rate.ts). */
  searchesPerMinute: number;
  /** Home entries sent to members' hubs per second (home/home-watchers.ts). */
  homeNewsPerSecond: number;
  /** Newcomers' shared budget: members younger than `ageMs` together send at most `messages` per window, each at most `each` of them. */
  newcomers: { ageMs: number; messages: number; each: number };
}

export function readAuthConfig(env: Variables): AuthConfig {
  const secret = readVariable(env, "JWT_SECRET");
  const previous = readVariable(env, "JWT_SECRET_PREVIOUS");
  const jwksUrl = readVariable(env, "JWT_JWKS_URL");
  let jwks: AuthConfig["jwks"];
  if (jwksUrl) {
    const issuer = readVariable(env, "JWT_ISSUER");
    const audience = readVariable(env, "JWT_AUDIENCE");
    // Without both, a token minted for any other app that trusts the same provider would pass.
    if (!issuer || !audience) {
      const missing = issuer ? "JWT_AUDIENCE" : "JWT_ISSUER";
      throw new ConfigError(missing, `JWT_JWKS_URL is set, so ${missing} must be too: JWT_ISSUER and JWT_AUDIENCE name the tokens meant for this app`);
    }
    jwks = { url: jwksUrl, issuer, audience };
  }
  return {
    secret,
    verificationSecrets: previous ? [secret, previous] : [secret],
    allowGuests: readVariable(env, "ALLOW_GUESTS"),
    sessionTtlSeconds: readVariable(env, "SESSION_TTL_SECONDS"),
    jwks,
  };
}

export function readRoomConfig(env: Variables): RoomConfig {
  return {
    historyLimit: readVariable(env, "HISTORY_LIMIT"),
    retentionMs: daysToMs(readVariable(env, "HISTORY_RETENTION_DAYS")),
    staleAfterMs: readVariable(env, "STALE_CONNECTION_SECONDS") * 1000,
    admins: readVariable(env, "ADMIN_USERS"),
    rateLimit: {
      messages: readVariable(env, "RATE_LIMIT_MESSAGES"),
      windowMs: readVariable(env, "RATE_LIMIT_WINDOW_SECONDS") * 1000,
    },
    whoIntervalMs: readVariable(env, "WHO_INTERVAL_SECONDS") * 1000,
    sockets: {
      perUser: readVariable(env, "SOCKETS_PER_USER"),
      perRoom: readVariable(env, "SOCKETS_PER_ROOM"),
      shardCapacity: readVariable(env, "SHARD_CAPACITY"),
    },
    longPolls: {
      perUser: readVariable(env, "LONG_POLLS_PER_USER"),
      perRoom: readVariable(env, "LONG_POLLS_PER_ROOM"),
      reserved: Math.floor((readVariable(env, "LONG_POLLS_PER_ROOM") * readVariable(env, "LONG_POLLS_RESERVED_PERCENT")) / 100),
    },
    homeNewsPerSecond: readVariable(env, "HOME_NEWS_PER_SECOND"),
    searchesPerMinute: readVariable(env, "SEARCHES_PER_MINUTE"),
    newcomers: {
      ageMs: readVariable(env, "NEW_MEMBER_SECONDS") * 1000,
      messages: readVariable(env, "NEW_MEMBER_MESSAGES"),
      each: Math.ceil((readVariable(env, "NEW_MEMBER_MESSAGES") * readVariable(env, "NEW_MEMBER_SHARE_PERCENT")) / 100),
    },
  };
}

function daysToMs(days: number | undefined): number | undefined {
  return days === undefined ? undefined : days * 24 * 3600 * 1000;
}

/** The largest upload, a person's daily total, and how many uploads they may make a day. */
export function readFileLimits(env: Variables): { maxBytes: number; quotaPerDay: number; uploadsPerDay: number } {
  return {
    maxBytes: readVariable(env, "MAX_FILE_BYTES"),
    quotaPerDay: readVariable(env, "FILE_QUOTA_BYTES_PER_USER_DAY"),
    uploadsPerDay: readVariable(env, "FILE_UPLOADS_PER_USER_DAY"),
  };
}

/** What one person's hub holds to. */
export interface HubConfig {
  homeSockets: number;
  newConversationsPerDay: number;
  roomsPerUser: number;
  blocksPerUser: number;
  /** A search of all the person's rooms: at most `perMinute` a minute, `parallel` rooms at once, for `budgetMs`. */
  search: { perMinute: number; parallel: number; budgetMs: number };
  /** A home load asks at most `readsPerLoad` rooms; a copy older than `recheckAfterMs` is asked again without news. */
  home: { readsPerLoad: number; recheckAfterMs: number };
}

export function readHubConfig(env: Variables): HubConfig {
  return {
    homeSockets: readVariable(env, "HOME_SOCKETS_PER_USER"),
    newConversationsPerDay: readVariable(env, "NEW_CONVERSATIONS_PER_USER_DAY"),
    roomsPerUser: readVariable(env, "ROOMS_PER_USER"),
    blocksPerUser: readVariable(env, "BLOCKS_PER_USER"),
    search: {
      perMinute: readVariable(env, "SEARCHES_PER_MINUTE"),
      parallel: readVariable(env, "SEARCH_ACROSS_ROOMS_PARALLEL"),
      budgetMs: readVariable(env, "SEARCH_ACROSS_ROOMS_SECONDS") * 1000,
    },
    home: { readsPerLoad: readVariable(env, "HOME_READS_PER_LOAD"), recheckAfterMs: readVariable(env, "HOME_RECHECK_SECONDS") * 1000 },
  };
}

/** How many guest sessions one client address may mint per window. */
export function readGuestLimit(env: Variables): { perAddress: number; windowMs: number } {
  return {
    perAddress: readVariable(env, "GUEST_SIGNINS_PER_IP"),
    windowMs: readVariable(env, "GUEST_SIGNIN_WINDOW_SECONDS") * 1000,
  };
}

/** Origins allowed to open sockets besides the Worker's own, normalized (`https://a.example/` is `https://a.example`). */
export function readAllowedOrigins(env: Variables): string[] {
  return readVariable(env, "ALLOWED_ORIGINS");
}
