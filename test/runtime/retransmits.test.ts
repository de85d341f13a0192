import { describe, expect, it } from "vitest";
import type { PostedMessage } from "../../src/protocol";
import { api, connect, newRoom, newUser } from "./helpers";

const post = (user: { token: string }, room: string, body: object) => api(user, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify(body) });

describe("a message sent again", () => {
  it("is acknowledged with its original after its recipient left, over HTTP and by socket, and stored once", async () => {
    const room = newRoom("resend-after-leave");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, bob);
    const first = await post(ada, room, { id: "dm-1", text: "just for you", to: bob.id });
    expect(first.status).toBe(201);
    const { seq } = (await first.json()) as PostedMessage;
    expect((await api(bob, `/api/rooms/${room}/members/me`, { method: "DELETE" })).status).toBe(204);

    const again = await post(ada, room, { id: "dm-1", text: "just for you", to: bob.id });
    expect(again.status).toBe(200);
    expect(((await again.json()) as PostedMessage).seq).toBe(seq);

    const socket = await connect(room, ada);
    socket.send({ type: "send", id: "dm-1", text: "just for you", to: bob.id });
    expect(await socket.next("ack")).toMatchObject({ id: "dm-1", seq });
    // Something new to the same person is refused: they are no longer a member.
    expect((await post(ada, room, { id: "dm-2", text: "still there?", to: bob.id })).status).toBe(400);
  });
});
