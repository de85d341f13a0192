import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomSnapshot } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

const ISSUER = "https://id.example.test/";
const AUDIENCE = "edge-chat-test";

let chat: LocalChat;
let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwksServer: Server;

/** Signs a token as the provider would, with any claim overridden. */
async function providerToken(claims: JWTPayload, signingKey: CryptoKey = keys.privateKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { iss = ISSUER, aud = AUDIENCE, exp = now + 600, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: "RS256", kid: "test-key" })
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(signingKey);
}

beforeAll(async () => {
  keys = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  jwksServer = createServer((_, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  const { port } = jwksServer.address() as AddressInfo;
  chat = await LocalChat.start({
    JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
  });
});

afterAll(async () => {
  await chat.stop();
  await new Promise((resolve) => jwksServer.close(resolve));
});

describe("users of an external identity provider", () => {
  it.each([
    ["name", { name: "Dana Scully", preferred_username: "dana", email: "dana@example.test" }, "Dana Scully"],
    ["preferred_username", { preferred_username: "fox", email: "fox@example.test" }, "fox"],
    ["email", { email: "walter@example.test" }, "walter@example.test"],
  ])("chat under their %s", async (_, claims, shownAs) => {
    const sub = `idp|${shownAs}`;
    const token = await providerToken({ sub, ...claims });
    const socket = await TestSocket.open(chat.socketUrl(uniqueRoom("idp")), token);
    expect((await socket.next("welcome")).you).toEqual({ id: `idp:${sub}`, name: shownAs });
    await socket.close();
  });

  it("and guests share the same rooms", async () => {
    const room = uniqueRoom("mixed");
    const guest = await chat.signIn("Guest");
    const member = await providerToken({ sub: "idp|member", name: "Member" });
    await chat.api(guest.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "g1", text: "hi" }) });
    await chat.api(member, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "m1", text: "hello" }) });
    const info = await chat.api<RoomSnapshot>(member, `/api/rooms/${room}`);
    expect(info.body.members.map((m) => m.name)).toEqual(["Member", "Guest"]);
  });

  it("are told to renew with their provider, while a guest beside them renews here", async () => {
    const member = await providerToken({ sub: "idp|renewing", name: "Renee" });
    const refused = await chat.api<{ error: { code: string; message: string } }>(member, "/api/session/refresh", { method: "POST" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/renewed by the provider/);
    const guest = await chat.signIn("Guest");
    const renewed = await chat.api<{ user: { id: string } }>(guest.token, "/api/session/refresh", { method: "POST" });
    expect(renewed.status).toBe(200);
    expect(renewed.body.user.id).toBe(guest.user.id);
  });
});

describe("provider user ids", () => {
  it("live in their own namespace, so a provider's sub can never be one of our guests", async () => {
    const guest = await chat.signIn("Guest");
    const room = uniqueRoom("namespace");
    const impostor = await providerToken({ sub: guest.user.id, name: "Guest" });
    const socket = await TestSocket.open(chat.socketUrl(room), impostor);
    expect((await socket.next("welcome")).you.id).toBe(`idp:${guest.user.id}`);
    await socket.close();
  });

  it("accept a token minted a few seconds ahead of our clock", async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = await providerToken({ sub: "idp|ahead", iat: now + 20, nbf: now + 20 });
    expect((await chat.api(ahead, `/api/rooms/${uniqueRoom("skew")}`)).status).toBe(200);
  });
});

describe("provider tokens that are refused", () => {
  it.each([
    ["from another issuer", () => providerToken({ sub: "idp|x", iss: "https://evil.example.test/" })],
    ["for another audience", () => providerToken({ sub: "idp|x", aud: "someone-else" })],
    ["that have expired", () => providerToken({ sub: "idp|x", exp: Math.floor(Date.now() / 1000) - 60 })],
    ["signed by a key outside the set", async () => providerToken({ sub: "idp|x" }, (await generateKeyPair("RS256")).privateKey)],
    [
      "signed with HS256 using the provider's public key as the secret",
      async () =>
        new SignJWT({ sub: "idp|x", name: "Confused" })
          .setProtectedHeader({ alg: "HS256", kid: "test-key" })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime("10m")
          .sign(new TextEncoder().encode(await exportSPKI(keys.publicKey))),
    ],
  ])("%s", async (_, make) => {
    const { status, body } = await chat.api<{ error: { code: string } }>(await make(), `/api/rooms/${uniqueRoom("refused")}`);
    expect(status).toBe(401);
    expect(body.error.code).toBe("invalid_token");
  });
});
