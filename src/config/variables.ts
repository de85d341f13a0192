/** The platform's limit of hibernatable sockets per object; no object (room or shard) is given more than one short of it. */
export const PLATFORM_SOCKETS_PER_OBJECT = 32_768;

/**
 * How one variable is set (`kind`: in `[vars]`, or with `wrangler secret put`) and read (`type`).
 * An unset or empty variable takes its `default`; one that is set but unusable is refused, never defaulted.
 */
export type VariableSpec = { description: string } & (
  | { kind: "secret"; type: "secret"; required?: true }
  // A value past `atMost` is lowered to it rather than refused: beyond the platform's limit, it can only mean "as many as it allows".
  // `default: null`: unset means no limit at all.
  | { kind: "variable"; type: "positiveInt"; default: number | null; atMost?: number }
  | { kind: "variable"; type: "boolean"; default: boolean }
  // `of: "origin"` normalizes each item, so `https://a.example/` matches the Origin header a browser sends.
  | { kind: "variable"; type: "list"; of?: "origin" }
  | { kind: "variable"; type: "url" }
  | { kind: "variable"; type: "string" }
);

/** Every variable and secret the Worker reads; docs/configuration.md lists the same ones (test/unit/configuration-doc.test.ts). */
export const VARIABLES = {
  JWT_SECRET: { kind: "secret", type: "secret", required: true, description: "HS256 key that signs and verifies session tokens" },
  JWT_SECRET_PREVIOUS: { kind: "secret", type: "secret", description: "the secret before the last rotation: still accepted when verifying, never used to sign" },
  ALLOWED_ORIGINS: { kind: "variable", type: "list", of: "origin", description: "origins whose pages may open sockets, besides the Worker's own" },
  STALE_CONNECTION_SECONDS: { kind: "variable", type: "positiveInt", default: 90, description: "a socket silent this long (no ping, no frame) is closed and its user counted as gone" },
  ALLOW_GUESTS: { kind: "variable", type: "boolean", default: true, description: "whether guests may sign in" },
  SESSION_TTL_SECONDS: { kind: "variable", type: "positiveInt", default: 7 * 24 * 3600, description: "lifetime of a guest session token" },
  JWT_JWKS_URL: { kind: "variable", type: "url", description: "an external identity provider's JWK set, whose tokens are accepted too" },
  JWT_ISSUER: { kind: "variable", type: "string", description: "the `iss` a provider's tokens must carry; required with JWT_JWKS_URL" },
  JWT_AUDIENCE: { kind: "variable", type: "string", description: "the `aud` a provider's tokens must carry; required with JWT_JWKS_URL" },
  HISTORY_LIMIT: { kind: "variable", type: "positiveInt", default: null, description: "messages kept per room, the oldest deleted past it; unset, every message is kept" },
  HISTORY_RETENTION_DAYS: { kind: "variable", type: "positiveInt", default: null, description: "messages older than this many days are deleted; unset, every message is kept" },
  RATE_LIMIT_MESSAGES: { kind: "variable", type: "positiveInt", default: 20, description: "messages one user may send per window, per room" },
  RATE_LIMIT_WINDOW_SECONDS: { kind: "variable", type: "positiveInt", default: 10, description: "the rate-limit window" },
  WHO_INTERVAL_SECONDS: { kind: "variable", type: "positiveInt", default: 5, description: "a connection's `who` is answered at most once per this many seconds" },
  SOCKETS_PER_USER: { kind: "variable", type: "positiveInt", default: 10, description: "open sockets one user may hold in one room" },
  SOCKETS_PER_ROOM: { kind: "variable", type: "positiveInt", default: 100_000, description: "open sockets in one room, all users together, shards included" },
  SHARD_CAPACITY: {
    kind: "variable",
    type: "positiveInt",
    default: 16_000,
    atMost: PLATFORM_SOCKETS_PER_OBJECT - 1,
    description: "sockets the room object holds itself; past it, connections go to fan-out shards of this many each (src/shard/)",
  },
  LONG_POLLS_PER_USER: { kind: "variable", type: "positiveInt", default: 5, description: "long-polls one user may have waiting in one room" },
  LONG_POLLS_PER_ROOM: { kind: "variable", type: "positiveInt", default: 1000, description: "long-polls waiting in one room, all users together" },
  LONG_POLLS_RESERVED_PERCENT: { kind: "variable", type: "positiveInt", default: 10, atMost: 100, description: "the share of a room's long-polls kept for people's first waiting read" },
  GUEST_SIGNINS_PER_IP: { kind: "variable", type: "positiveInt", default: 30, description: "guest sign-ins one client address may make per window" },
  GUEST_SIGNIN_WINDOW_SECONDS: { kind: "variable", type: "positiveInt", default: 60, description: "the guest sign-in window" },
  NEW_MEMBER_SECONDS: { kind: "variable", type: "positiveInt", default: 60, description: "members who joined a room less than this long ago share one message budget" },
  NEW_MEMBER_MESSAGES: { kind: "variable", type: "positiveInt", default: 20, description: "that shared budget, in messages per RATE_LIMIT_WINDOW_SECONDS" },
  NEW_MEMBER_SHARE_PERCENT: { kind: "variable", type: "positiveInt", default: 25, atMost: 100, description: "the most one newcomer may take of that shared budget per window, in percent of it" },
  ADMIN_USERS: { kind: "variable", type: "list", description: "user ids who are owners of every room: the operators of `lobby` and the rooms nobody created" },
  MAX_FILE_BYTES: { kind: "variable", type: "positiveInt", default: 10 * 1024 * 1024, description: "largest file one upload may be, in bytes" },
  FILE_QUOTA_BYTES_PER_USER_DAY: { kind: "variable", type: "positiveInt", default: 100 * 1024 * 1024, description: "bytes one person may upload per 24 hours, all rooms together" },
  FILE_UPLOADS_PER_USER_DAY: { kind: "variable", type: "positiveInt", default: 1000, description: "uploads one person may make per 24 hours, all rooms together, whatever their size" },
  HOME_SOCKETS_PER_USER: { kind: "variable", type: "positiveInt", default: 20, description: "open home sockets (`/api/me/ws`) one person may hold" },
  SEARCHES_PER_MINUTE: { kind: "variable", type: "positiveInt", default: 30, description: "searches one person may make in one room per minute" },
  SEARCH_ACROSS_ROOMS_PARALLEL: { kind: "variable", type: "positiveInt", default: 16, description: "rooms a search of all of a person's rooms asks at once" },
  SEARCH_ACROSS_ROOMS_SECONDS: { kind: "variable", type: "positiveInt", default: 3, description: "how long a search of all of a person's rooms goes on asking rooms before it answers with what it has" },
  ROOMS_PER_USER: { kind: "variable", type: "positiveInt", default: 500, description: "rooms one person may be a member of, direct conversations included" },
  BLOCKS_PER_USER: { kind: "variable", type: "positiveInt", default: 1000, description: "people one person may have blocked at once" },
  HOME_READS_PER_LOAD: { kind: "variable", type: "positiveInt", default: 100, description: "rooms one load of a home asks afresh (those with news since the hub's copy, newest first); the rest come from the copy" },
  HOME_RECHECK_SECONDS: { kind: "variable", type: "positiveInt", default: 24 * 3600, description: "a hub's copy of a room's home entry older than this is read again even without news" },
  HOME_NEWS_PER_SECOND: { kind: "variable", type: "positiveInt", default: 500, description: "home entries one room sends its members' hubs per second; more wait their turn" },
  NEW_CONVERSATIONS_PER_USER_DAY: { kind: "variable", type: "positiveInt", default: 50, description: "direct conversations one person may start per 24 hours" },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

/** The variables and secrets as wrangler passes them: strings, any of them possibly unset. */
export type Variables = { [Name in VariableName]?: string };
