import { createExecutionContext, env, SELF } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import { CloseCode, PROTOCOL, type ApiErrorBody, type SessionResponse } from "../../src/protocol";
import { SESSION_AUDIENCE, TOKEN_ISSUER } from "../../src/auth";
import app from "../../src/worker/index";
import { TestSocket } from "../support/test-socket";
import { forgeSessionToken, tamper, unsecuredToken } from "../support/tokens";

const secret = env.JWT_SECRET!;

function signIn(body: unknown, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch("https://chat.test/api/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

/** Calls the Worker with changed variables, as a deployment configured that way would. */
function withVars(vars: Partial<typeof env>, request: Request): Promise<Response> {
  return Promise.resolve(app.fetch(request, { ...env, ...vars }, createExecutionContext()));
}

async function errorOf(response: Response): Promise<ApiErrorBody["error"]> {
  return ((await response.json()) as ApiErrorBody).error;
}

describe("guest sign-in", () => {
  it("reads a body of at most 1 KB, refusing a larger one with 413 before signing anyone in", async () => {
    const response = await signIn({ name: "Ada", padding: "x".repeat(20_000_000) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("too_large");
  });

  it("counts sign-ins per client address, each address on its own, and refuses past the limit with 429", async () => {
    const vars = { GUEST_SIGNINS_PER_IP: "2", GUEST_SIGNIN_WINDOW_SECONDS: "60" };
    const from = (address: string) =>
      new Request("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Ada" }), headers: { "CF-Connecting-IP": address } });
    expect((await withVars(vars, from("203.0.113.7"))).status).toBe(201);
    expect((await withVars(vars, from("203.0.113.7"))).status).toBe(201);
    const refused = await withVars(vars, from("203.0.113.7"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await withVars(vars, from("198.51.100.1"))).status).toBe(201);
  });

  it("asks Cloudflare's Rate Limiting binding instead, keyed by address, when it is configured", async () => {
    const keys: string[] = [];
    const limiter = { limit: async ({ key }: { key: string }) => (keys.push(key), { success: keys.length < 2 }) };
    const vars = { GUEST_SIGNIN_RATE_LIMITER: limiter, GUEST_SIGNINS_PER_IP: "1" };
    const from = () => new Request("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Ada" }), headers: { "CF-Connecting-IP": "192.0.2.9" } });
    expect((await withVars(vars, from())).status).toBe(201);
    expect((await withVars(vars, from())).status).toBe(429);
    expect(keys).toEqual(["192.0.2.9", "192.0.2.9"]);
  });

  it("gives a signed session token that names the user", async () => {
    const response = await signIn({ name: "  Ada Lovelace  " });
    expect(response.status).toBe(201);
    const session = (await response.json()) as SessionResponse;

    expect(session.user.name).toBe("Ada Lovelace");
    const claims = decodeJwt(session.token);
    expect(claims).toMatchObject({ sub: session.user.id, name: "Ada Lovelace", iss: TOKEN_ISSUER, aud: SESSION_AUDIENCE });
    expect(claims.exp! * 1000).toBe(session.expiresAt);
    expect(claims.exp! - claims.iat!).toBe(Number(env.SESSION_TTL_SECONDS));
  });

  it.each([
    ["an empty name", { name: "" }, "name must not be empty"],
    ["a blank name", { name: "   " }, "name must not be empty"],
    ["a name over 32 characters", { name: "x".repeat(33) }, "at most 32 characters"],
    ["a name with a control character", { name: "bad\u0007name" }, "control characters"],
    ["a name with a line break", { name: "two\nlines" }, "control characters"],
    ["a name that is not a string", { name: 42 }, "name must be a string"],
    ["no name", {}, "name must be a string"],
    ["a body that is not JSON", "{name:", "name must be a string"],
  ])("refuses %s with a 400 that says why", async (_, body, message) => {
    const response = await signIn(body);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain(message);
  });

  it("accepts a 32-character name of emoji, counted as characters", async () => {
    const response = await signIn({ name: "🙂".repeat(32) });
    expect(response.status).toBe(201);
  });

  it("is refused with 403 when guests are turned off", async () => {
    const request = new Request("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Eve" }) });
    const response = await withVars({ ALLOW_GUESTS: "false" }, request);
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("guests_disabled");
  });
});

describe("a missing or weak secret", () => {
  it.each([
    ["missing", undefined, "JWT_SECRET is not set"],
    ["shorter than 32 bytes", "too-short", "JWT_SECRET is shorter than 32 bytes"],
  ])("when %s, is a 500 that names JWT_SECRET, never a silent default", async (_, value, message) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const request of [
      new Request("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Ada" }) }),
      new Request("https://chat.test/api/rooms/lobby", { headers: { Authorization: "Bearer whatever" } }),
    ]) {
      const response = await withVars({ JWT_SECRET: value }, request);
      expect(response.status).toBe(500);
      expect(await errorOf(response)).toEqual({ code: "server_misconfigured", message: expect.stringContaining(message) });
    }
    expect(logged).toHaveBeenCalledTimes(2);
    expect(JSON.parse(String(logged.mock.calls[0]![0]))).toMatchObject({ event: "worker.misconfigured", variable: "JWT_SECRET" });
    logged.mockRestore();
  });
});

describe("tokens the API refuses", () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string> | string][] = [
    ["an expired token", () => forgeSessionToken(secret, { iat: now - 7200, exp: now - 3600 })],
    ["a token that is not valid yet", () => forgeSessionToken(secret, { nbf: now + 3600 })],
    ["a token with a tampered payload", async () => tamper(await forgeSessionToken(secret))],
    ["a token signed with another key", () => forgeSessionToken("another-secret-that-is-also-long-enough-0123")],
    ["a token from another issuer", () => forgeSessionToken(secret, { iss: "someone-else" })],
    ["a token for another audience", () => forgeSessionToken(secret, { aud: "edge-chat:invite" })],
    ["an unsigned alg:none token", () => unsecuredToken({ sub: "g_x", name: "X", iss: TOKEN_ISSUER, aud: SESSION_AUDIENCE, exp: now + 3600, iat: now })],
    ["something that is not a JWT", () => "not-a-jwt"],
  ];

  it("accepts a token minted a few seconds ahead of the server's clock, but not one that expired a minute ago", async () => {
    const ahead = await forgeSessionToken(secret, { iat: now + 20, nbf: now + 20 });
    expect((await SELF.fetch("https://chat.test/api/rooms/lobby", { headers: { Authorization: `Bearer ${ahead}` } })).status).toBe(200);
    const expired = await forgeSessionToken(secret, { iat: now - 600, exp: now - 60 });
    expect((await SELF.fetch("https://chat.test/api/rooms/lobby", { headers: { Authorization: `Bearer ${expired}` } })).status).toBe(401);
  });

  it("never repeats an algorithm name it does not know, in its answer or its log", async () => {
    const logged = vi.spyOn(console, "log").mockImplementation(() => {});
    const header = btoa(JSON.stringify({ alg: "<img src=x onerror=alert(1)>", typ: "JWT" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const response = await SELF.fetch("https://chat.test/api/rooms/lobby", { headers: { Authorization: `Bearer ${header}.e30.sig` } });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toBe("tokens signed with that algorithm are not accepted");
    const lines = logged.mock.calls.map((call) => String(call[0]));
    logged.mockRestore();
    expect(lines.some((line) => line.includes("worker.auth_refused"))).toBe(true);
    expect(lines.join("\n")).not.toContain("onerror");
  });

  it.each(cases)("turns away %s over HTTP with 401 JSON", async (_, make) => {
    const response = await SELF.fetch("https://chat.test/api/rooms/lobby", { headers: { Authorization: `Bearer ${await make()}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain("invalid_token");
    expect((await errorOf(response)).code).toBe("invalid_token");
  });

  it.each(cases)("turns away %s on a WebSocket with an error frame and close 4001", async (_, make) => {
    const response = await SELF.fetch("https://chat.test/api/rooms/lobby/ws", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, bearer.${await make()}` },
    });
    expect(response.status).toBe(101);
    expect(response.headers.get("Sec-WebSocket-Protocol")).toBe(PROTOCOL);
    const socket = TestSocket.accept(response.webSocket!);
    expect(await socket.next("error")).toMatchObject({ code: "invalid_token" });
    expect((await socket.closed).code).toBe(CloseCode.InvalidToken);
  });

  it.each([
    ["POST", "/api/rooms"],
    ["GET", "/api/rooms/lobby"],
    ["POST", "/api/rooms/lobby/join"],
    ["GET", "/api/rooms/lobby/messages"],
    ["POST", "/api/rooms/lobby/messages"],
    ["POST", "/api/rooms/lobby/invites"],
    ["GET", "/api/rooms/lobby/invites"],
    ["DELETE", "/api/rooms/lobby/invites/some-invite"],
    ["DELETE", "/api/rooms/lobby/members/g_someone"],
  ])("guards %s %s: every refused token there gets 401", async (method, path) => {
    for (const [, make] of cases) {
      const response = await SELF.fetch(`https://chat.test${path}`, {
        method,
        headers: { Authorization: `Bearer ${await make()}`, "Content-Type": "application/json" },
        body: method === "POST" ? JSON.stringify({ visibility: "public", id: "m1", text: "hi" }) : undefined,
      });
      expect(response.status).toBe(401);
    }
  });

  it("asks for a token when there is none", async () => {
    const response = await SELF.fetch("https://chat.test/api/rooms/lobby/messages");
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toContain("no token");
  });
});

describe("where a token may travel", () => {
  it.each([
    ["the Authorization header", (token: string) => ({ url: "", headers: { Authorization: `Bearer ${token}` } })],
    ["the WebSocket subprotocol list", (token: string) => ({ url: "", headers: { "Sec-WebSocket-Protocol": `${PROTOCOL}, bearer.${token}` } })],
    ["the token query parameter, on the WebSocket route only", (token: string) => ({ url: `?token=${token}`, headers: {} })],
  ])("is accepted in %s", async (_, place) => {
    const token = await forgeSessionToken(secret, { sub: "g_traveller", name: "Traveller" });
    const { url, headers } = place(token);
    const response = await SELF.fetch(`https://chat.test/api/rooms/token-places/ws${url}`, {
      headers: { Upgrade: "websocket", ...headers },
    });
    const socket = TestSocket.accept(response.webSocket!);
    expect((await socket.next("welcome")).you).toEqual({ id: "g_traveller", name: "Traveller" });
    await socket.close();
  });
});

describe("a token or invite in a URL", () => {
  it.each([
    ["GET", "/api/rooms/token-url"],
    ["GET", "/api/rooms/token-url/messages"],
    ["POST", "/api/rooms/token-url/join"],
  ])("is not accepted on %s %s, where only the WebSocket route takes ?token=", async (method, path) => {
    const token = await forgeSessionToken(secret, { sub: "g_url", name: "Url" });
    const response = await SELF.fetch(`https://chat.test${path}?token=${token}`, { method });
    expect(response.status).toBe(401);
  });

  it.each([
    ["GET", "/api/me/rooms"],
    ["GET", "/api/rooms/token-url/messages"],
  ])("is not accepted on %s %s even when the request says it is a WebSocket upgrade", async (method, path) => {
    const token = await forgeSessionToken(secret, { sub: "g_url_upgrade", name: "Url" });
    const response = await SELF.fetch(`https://chat.test${path}?token=${token}`, { method, headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(401);
  });

  it("is not read from ?invite= on a socket: the invite rides in a subprotocol or is redeemed first", async () => {
    const owner = { token: await forgeSessionToken(secret, { sub: "g_owner_url", name: "Owner" }) };
    const created = await SELF.fetch("https://chat.test/api/rooms", {
      method: "POST",
      headers: { Authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ visibility: "private" }),
    });
    const { room, invite } = (await created.json()) as { room: { id: string }; invite: { url: string } };
    const inviteToken = new URL(invite.url).hash.replace("#invite=", "");
    const guestToken = await forgeSessionToken(secret, { sub: "g_guest_url", name: "Guest" });
    const open = (query: string, protocols: string[]) =>
      SELF.fetch(`https://chat.test/api/rooms/${room.id}/ws${query}`, {
        headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": [PROTOCOL, `bearer.${guestToken}`, ...protocols].join(", ") },
      }).then((response) => TestSocket.accept(response.webSocket!));

    const inQuery = await open(`?invite=${inviteToken}`, []);
    expect(await inQuery.next("error")).toMatchObject({ code: "forbidden" });
    const inProtocol = await open("", [`invite.${inviteToken}`]);
    expect((await inProtocol.next("welcome")).room.id).toBe(room.id);
    await inProtocol.close();
  });
});

describe("secret rotation", () => {
  it("accepts tokens signed with JWT_SECRET_PREVIOUS while signing new ones with JWT_SECRET", async () => {
    const oldSecret = env.JWT_SECRET!;
    const newSecret = "the-new-secret-after-rotation-0123456789abcdef";
    const rotated = { JWT_SECRET: newSecret, JWT_SECRET_PREVIOUS: oldSecret };
    const oldToken = await forgeSessionToken(oldSecret, { sub: "g_before", name: "Before" });

    const request = (token: string) => new Request("https://chat.test/api/rooms/rotation", { headers: { Authorization: `Bearer ${token}` } });
    expect((await withVars(rotated, request(oldToken))).status).toBe(200);

    const signIn = await withVars(rotated, new Request("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "After" }) }));
    const { token: newToken } = (await signIn.json()) as SessionResponse;
    expect((await withVars({ JWT_SECRET: newSecret }, request(newToken))).status).toBe(200);
    expect((await withVars({ JWT_SECRET: oldSecret }, request(newToken))).status).toBe(401);

    expect((await withVars({ JWT_SECRET: newSecret }, request(oldToken))).status).toBe(401);
  });
});

describe("the Origin of a WebSocket upgrade", () => {
  const upgradeFrom = (origin: string | undefined, url = "https://chat.test/api/rooms/lobby/ws") =>
    new Request(url, {
      headers: { Upgrade: "websocket", Authorization: "Bearer ignored", ...(origin ? { Origin: origin } : {}) },
    });

  it.each([
    ["another site", "https://evil.example", "https://chat.test/api/rooms/lobby/ws"],
    ["a sandboxed frame", "null", "https://chat.test/api/rooms/lobby/ws"],
    ["a lookalike", "https://chat.test.evil.example", "https://chat.test/api/rooms/lobby/ws"],
    ["a local page, against a public server", "http://localhost:3000", "https://chat.test/api/rooms/lobby/ws"],
  ])("is refused from %s with 403", async (_, origin, url) => {
    const response = await withVars({}, upgradeFrom(origin, url));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toContain("ALLOWED_ORIGINS");
  });

  it.each([
    ["the Worker's own origin", "https://chat.test", "https://chat.test/api/rooms/lobby/ws", {}],
    ["an origin in ALLOWED_ORIGINS", "https://app.example", "https://chat.test/api/rooms/lobby/ws", { ALLOWED_ORIGINS: "https://other.example, https://app.example" }],
    ["another loopback port in local development", "http://localhost:5173", "http://127.0.0.1:8787/api/rooms/lobby/ws", {}],
    ["a client that sends none (not a browser)", undefined, "https://chat.test/api/rooms/lobby/ws", {}],
  ])("is accepted from %s (then the token decides)", async (_, origin, url, vars) => {
    const response = await withVars(vars, upgradeFrom(origin, url));
    expect(response.status).toBe(101);
    const socket = TestSocket.accept(response.webSocket!);
    expect((await socket.next("error")).code).toBe("invalid_token");
  });
});
