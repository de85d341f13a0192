import { env, runDurableObjectAlarm } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/protocol";
import { forgeSessionToken } from "../support/tokens";
import { newRoom, newUser } from "../runtime/helpers";
import { connect, shardStub } from "./helpers";

const secret = env.JWT_SECRET!;
const seconds = () => Math.floor(Date.now() / 1000);

describe("a connection held by a shard", () => {
  it("renews its session in-band through the room, and the shard's sweep closes only the one that did not", async () => {
    const room = newRoom("sessions");
    // The room holds the first 50 (SHARD_CAPACITY); these two go to shard 1.
    for (let n = 0; n < 50; n++) await connect(room, await newUser(`Filler${n}`));
    const renewing = await connect(room, { token: await forgeSessionToken(secret, { sub: "g_shard_renewing", name: "Ada", exp: seconds() + 2 }) });
    const lapsing = await connect(room, { token: await forgeSessionToken(secret, { sub: "g_shard_lapsing", name: "Bo", exp: seconds() + 2 }) });
    expect((await shardStub(room, 1).connections()).length).toBe(2);

    const fresh = await forgeSessionToken(secret, { sub: "g_shard_renewing", name: "Ada", exp: seconds() + 3600 });
    renewing.send({ type: "auth", token: fresh });
    expect((await renewing.next("auth")).expiresAt).toBe(decodeJwt(fresh).exp! * 1000);
    renewing.send({ type: "auth", token: await forgeSessionToken(secret, { sub: "g_someone_else", name: "Eve" }) });
    expect(await renewing.next("error")).toMatchObject({ code: "invalid_token", message: "that token is for someone else" });

    await new Promise((resolve) => setTimeout(resolve, 2500));
    await runDurableObjectAlarm(shardStub(room, 1));
    expect(await lapsing.closed).toEqual({ code: CloseCode.InvalidToken, reason: "your session expired; sign in again" });
    renewing.send({ type: "who" });
    expect((await renewing.next("members")).online).toBe(51);
  });
});
