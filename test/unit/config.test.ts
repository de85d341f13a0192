import { describe, expect, it } from "vitest";
import { ConfigError, readAllowedOrigins, readAuthConfig, readHubConfig, readRoomConfig, type Variables } from "../../src/config";

const env = (vars: Variables) => vars;

describe("hub configuration", () => {
  it("lets one person be in 500 rooms, and a home's load ask at most 100 of them, rechecking a day-old copy, by default", () => {
    expect(readHubConfig(env({}))).toEqual({ homeSockets: 20, newConversationsPerDay: 50, roomsPerUser: 500, blocksPerUser: 1000, search: { perMinute: 30, parallel: 16, budgetMs: 3000 }, home: { readsPerLoad: 100, recheckAfterMs: 86_400_000 } });
    expect(readHubConfig(env({ ROOMS_PER_USER: "3", HOME_READS_PER_LOAD: "2", HOME_RECHECK_SECONDS: "60" }))).toMatchObject({ roomsPerUser: 3, home: { readsPerLoad: 2, recheckAfterMs: 60_000 } });
  });
});

describe("room configuration", () => {
  it("keeps every message for ever, allows 20 messages per 10 s, 90 s of silence and bounded connections by default", () => {
    expect(readRoomConfig(env({}))).toEqual({
      historyLimit: undefined,
      retentionMs: undefined,
      staleAfterMs: 90_000,
      admins: [],
      rateLimit: { messages: 20, windowMs: 10_000 },
      whoIntervalMs: 5_000,
      sockets: { perUser: 10, perRoom: 100_000, shardCapacity: 16_000 },
      longPolls: { perUser: 5, perRoom: 1000, reserved: 100 },
      homeNewsPerSecond: 500,
      searchesPerMinute: 30,
      newcomers: { ageMs: 60_000, messages: 20, each: 5 },
    });
  });

  it("takes its limits from variables", () => {
    const config = readRoomConfig(
      env({
        HISTORY_LIMIT: "500",
        HISTORY_RETENTION_DAYS: "30",
        RATE_LIMIT_MESSAGES: "5",
        RATE_LIMIT_WINDOW_SECONDS: "60",
        STALE_CONNECTION_SECONDS: "30",
        WHO_INTERVAL_SECONDS: "2",
        SOCKETS_PER_USER: "3",
        SOCKETS_PER_ROOM: "100",
        SHARD_CAPACITY: "50",
        LONG_POLLS_PER_USER: "1",
        LONG_POLLS_PER_ROOM: "50",
        NEW_MEMBER_SECONDS: "30",
        NEW_MEMBER_MESSAGES: "8",
        HOME_NEWS_PER_SECOND: "20",
        ADMIN_USERS: " g_ops ,idp:alice,, ",
      }),
    );
    expect(config).toEqual({
      historyLimit: 500,
      retentionMs: 30 * 24 * 3600 * 1000,
      staleAfterMs: 30_000,
      admins: ["g_ops", "idp:alice"],
      rateLimit: { messages: 5, windowMs: 60_000 },
      whoIntervalMs: 2_000,
      sockets: { perUser: 3, perRoom: 100, shardCapacity: 50 },
      longPolls: { perUser: 1, perRoom: 50, reserved: 5 },
      homeNewsPerSecond: 20,
      searchesPerMinute: 30,
      newcomers: { ageMs: 30_000, messages: 8, each: 2 },
    });
  });

  it("keeps every object's sockets under the platform's limit, whatever SHARD_CAPACITY says", () => {
    expect(readRoomConfig(env({ SHARD_CAPACITY: "100000" })).sockets.shardCapacity).toBe(32_767);
  });

  it("refuses an ALLOWED_ORIGINS entry that is not an origin, and normalizes the rest", () => {
    expect(readAllowedOrigins(env({ ALLOWED_ORIGINS: " https://a.example/ , http://localhost:3000" }))).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
    expect(() => readAllowedOrigins(env({ ALLOWED_ORIGINS: "a.example" }))).toThrow(/ALLOWED_ORIGINS/);
  });

  it("takes an empty value as unset, so `NAME = \"\"` keeps the default", () => {
    expect(readRoomConfig(env({ HISTORY_LIMIT: "", ADMIN_USERS: "" }))).toEqual(readRoomConfig(env({})));
  });

  it.each(["0", "-5", "ten", "1.5"])("refuses HISTORY_LIMIT=%s, naming the variable", (value) => {
    expect(() => readRoomConfig(env({ HISTORY_LIMIT: value }))).toThrow(ConfigError);
    expect(() => readRoomConfig(env({ HISTORY_LIMIT: value }))).toThrow(/HISTORY_LIMIT/);
  });
});

describe("auth configuration", () => {
  const secret = "Zq3-kT8p_Lw1xR5vN0bJ7mC2hF9dY4sGaE6u";

  it("allows guests unless ALLOW_GUESTS is false", () => {
    expect(readAuthConfig(env({ JWT_SECRET: secret })).allowGuests).toBe(true);
    expect(readAuthConfig(env({ JWT_SECRET: secret, ALLOW_GUESTS: "false" })).allowGuests).toBe(false);
    expect(() => readAuthConfig(env({ JWT_SECRET: secret, ALLOW_GUESTS: "no" }))).toThrow(/ALLOW_GUESTS/);
  });

  it("counts the secret's length in bytes", () => {
    expect(() => readAuthConfig(env({ JWT_SECRET: "éèêëàâäôöûüçîïœæ" }))).not.toThrow();
    expect(() => readAuthConfig(env({ JWT_SECRET: "abcdefgh".repeat(4).slice(0, 31) }))).toThrow(/shorter than 32 bytes/);
  });

  it.each(["a".repeat(64), "ab".repeat(32), "0123456".repeat(8)])("refuses the placeholder secret %s, saying how to make a real one", (weak) => {
    expect(() => readAuthConfig(env({ JWT_SECRET: weak }))).toThrow(/placeholder.*openssl rand/);
  });

  it("refuses a JWT_JWKS_URL that is not a URL", () => {
    const provider = { JWT_ISSUER: "https://id.example/", JWT_AUDIENCE: "edge-chat" };
    expect(() => readAuthConfig(env({ JWT_SECRET: secret, JWT_JWKS_URL: "not a url", ...provider }))).toThrow(/JWT_JWKS_URL/);
  });

  it.each([
    [{ JWT_AUDIENCE: "edge-chat" }, "JWT_ISSUER"],
    [{ JWT_ISSUER: "https://id.example/" }, "JWT_AUDIENCE"],
    [{}, "JWT_ISSUER"],
  ])("refuses JWT_JWKS_URL with %j: a provider's tokens for other apps would pass", (partial, missing) => {
    const config = () => readAuthConfig(env({ JWT_SECRET: secret, JWT_JWKS_URL: "https://id.example/jwks.json", ...partial }));
    expect(config).toThrow(ConfigError);
    expect(config).toThrow(new RegExp(`${missing} must be too`));
  });
});
