import { describe, expect, it } from "vitest";
import type { CreatedRoom, RoomSnapshot } from "../../src/protocol";
import { api, connect, newUser, upgrade } from "./helpers";

async function snapshot(user: { token: string }, path: string, method = "GET"): Promise<RoomSnapshot> {
  const response = await api(user, path, { method, ...(method === "POST" ? { body: "{}" } : {}) });
  expect(response.status).toBe(200);
  return (await response.json()) as RoomSnapshot;
}

describe("the greeting over HTTP", () => {
  it("says who you are, your role and your mute, as a socket's welcome does", async () => {
    const [owner, mia] = [await newUser("Owner"), await newUser("Mia")];
    const { room } = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "public" }) })).json()) as CreatedRoom;
    const ownerSocket = await connect(room.id, owner);

    const joined = await snapshot(mia, `/api/rooms/${room.id}/join`, "POST");
    expect(joined).toMatchObject({ you: { id: mia.id, name: "Mia" }, online: 1 });
    expect(joined.role).toBeUndefined();
    expect(joined.mutedUntil).toBeUndefined();
    expect(await snapshot(owner, `/api/rooms/${room.id}`)).toMatchObject({ you: { id: owner.id }, role: "owner" });

    expect((await api(owner, `/api/rooms/${room.id}/members/${mia.id}/mute`, { method: "POST", body: "{}" })).status).toBe(200);
    const described = await snapshot(mia, `/api/rooms/${room.id}`);
    expect(described.mutedUntil).toBeNull();

    const miaSocket = await upgrade(room.id, mia);
    const { type: _, ...welcome } = (await miaSocket.joined()).welcome;
    expect(Object.keys(await snapshot(mia, `/api/rooms/${room.id}`)).sort()).toEqual(Object.keys(welcome).sort());
    await Promise.all([ownerSocket.close(), miaSocket.close()]);
  });
});
