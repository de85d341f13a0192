import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { CloseCode, type ApiErrorBody, type SessionResponse } from "../../src/protocol";
import { forgeSessionToken } from "../support/tokens";
import { connect, newRoom } from "./helpers";

const secret = env.JWT_SECRET!;
const seconds = () => Math.floor(Date.now() / 1000);

function refresh(token?: string): Promise<Response> {
  return SELF.fetch("https://chat.test/api/session/refresh", { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

describe("a session", () => {
  it("renews for the same person with a later expiry, so a guest keeps their id and rooms", async () => {
    const signedIn = (await (
      await SELF.fetch("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Ada" }) })
    ).json()) as SessionResponse;
    const old = decodeJwt(signedIn.token);
    // Issued a while ago: the renewed token must run from now.
    const aging = await forgeSessionToken(secret, { sub: signedIn.user.id, name: "Ada", iat: seconds() - 3600, exp: seconds() + 600 });

    const response = await refresh(aging);
    expect(response.status).toBe(200);
    const renewed = (await response.json()) as SessionResponse;
    const claims = decodeJwt(renewed.token);
    expect(renewed.user).toEqual(signedIn.user);
    expect(claims.sub).toBe(old.sub);
    expect(claims.name).toBe("Ada");
    expect(claims.exp! - claims.iat!).toBe(old.exp! - old.iat!);
    expect(claims.exp!).toBeGreaterThan(seconds() + 600);
    expect(renewed.expiresAt).toBe(claims.exp! * 1000);
  });

  it("cannot be renewed once expired, or without a token", async () => {
    const expired = await forgeSessionToken(secret, { sub: "g_late", iat: seconds() - 7200, exp: seconds() - 3600 });
    const refused = await refresh(expired);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ApiErrorBody).error.message).toBe("token has expired");
    expect((await refresh()).status).toBe(401);
  });
});

describe("an open connection", () => {
  it("takes a fresh token in-band, for the same person only, and is then not closed at the old expiry", async () => {
    const room = newRoom("renew");
    const sub = "g_renewing_ada";
    const shortLived = await forgeSessionToken(secret, { sub, name: "Ada", exp: seconds() + 2 });
    const socket = await connect(room, { token: shortLived });

    socket.send({ type: "auth", token: await forgeSessionToken(secret, { sub: "g_someone_else", name: "Eve" }) });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_token", message: "that token is for someone else" });
    socket.send({ type: "auth", token: "not a token" });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_token", message: "token is not a JWT" });

    const fresh = await forgeSessionToken(secret, { sub, name: "Ada", exp: seconds() + 3600 });
    socket.send({ type: "auth", token: fresh });
    expect((await socket.next("auth")).expiresAt).toBe(decodeJwt(fresh).exp! * 1000);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    await runDurableObjectAlarm(env.ROOMS.get(env.ROOMS.idFromName(room)));
    socket.send({ type: "who" });
    await socket.next("members");
  });

  it("whose token expires without renewal is closed with 4001 by the room's sweep", async () => {
    const room = newRoom("expire");
    const socket = await connect(room, { token: await forgeSessionToken(secret, { sub: "g_expiring", name: "Bo", exp: seconds() + 1 }) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await runDurableObjectAlarm(env.ROOMS.get(env.ROOMS.idFromName(room)));
    expect(await socket.closed).toEqual({ code: CloseCode.InvalidToken, reason: "your session expired; sign in again" });
  });
});

describe("signing out", () => {
  async function signIn(name: string): Promise<SessionResponse> {
    const response = await SELF.fetch("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name }) });
    expect(response.status).toBe(201);
    return (await response.json()) as SessionResponse;
  }
  const signOut = (token: string) => SELF.fetch("https://chat.test/api/session", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });

  it("ends the session: neither its token nor one renewed from it renews again, over HTTP or on an open room socket; another device goes on", async () => {
    const phone = await signIn("Ada");
    const renewed = (await (await refresh(phone.token)).json()) as SessionResponse;
    expect(decodeJwt(renewed.token).sid).toBe(decodeJwt(phone.token).sid);
    // Ada on a second device: a session of her own, as a later sign-in there would make.
    const laptop = await forgeSessionToken(secret, { sub: phone.user.id, name: "Ada", sid: "laptop-session" });
    const socket = await connect(newRoom("signed-out"), { token: renewed.token });

    expect((await signOut(renewed.token)).status).toBe(204);

    for (const token of [phone.token, renewed.token]) {
      const refused = await refresh(token);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as ApiErrorBody).error.message).toBe("this session was signed out; sign in again");
    }
    socket.send({ type: "auth", token: renewed.token });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_token", message: "this session was signed out; sign in again" });
    expect((await refresh(laptop)).status).toBe(200);
  });
});
