import { describe, expect, it } from "vitest";
import type { CreatedRoom } from "../../src/protocol";
import { api, connect, newUser } from "./helpers";

describe("a muted member", () => {
  it("is not shown typing to anyone, and is again once unmuted", async () => {
    const [owner, muted, bystander] = [await newUser("Owner"), await newUser("Muted"), await newUser("Bystander")];
    const { room } = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "public" }) })).json()) as CreatedRoom;
    const [mutedSocket, watching] = [await connect(room.id, muted), await connect(room.id, bystander)];
    expect((await api(owner, `/api/rooms/${room.id}/members/${muted.id}/mute`, { method: "POST", body: "{}" })).status).toBe(200);
    await mutedSocket.next("muted");

    mutedSocket.send({ type: "typing" });
    expect(await watching.quietFor("typing", 300)).toEqual([]);

    expect((await api(owner, `/api/rooms/${room.id}/members/${muted.id}/mute`, { method: "DELETE" })).status).toBe(204);
    await mutedSocket.next("muted");
    mutedSocket.send({ type: "typing" });
    expect(await watching.next("typing")).toEqual({ type: "typing", user: { id: muted.id, name: "Muted" } });
  });
});
