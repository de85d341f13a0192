import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode, type ChatMessage } from "../../src/protocol";
import type { FanoutShard } from "../../src/shard/fanout-shard";
import { api, newRoom, newUser } from "../runtime/helpers";
import type { TestSocket } from "../support/test-socket";
import { connect, crowd, roomStub, shardLoads, shardStub, upgrade } from "./helpers";

// SHARD_CAPACITY is 50 here (vitest.config.ts): the room holds the first 50 connections, and
// each shard the next 50.

/** The next `count` messages a socket receives, in the order received. */
async function messages(socket: TestSocket, count: number): Promise<ChatMessage[]> {
  const got: ChatMessage[] = [];
  while (got.length < count) got.push(await socket.next("message"));
  return got;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("a room of 500 over ten objects", () => {
  it("gives every client every message exactly once and in seq order, whichever shard holds sender and receiver", async () => {
    const room = newRoom("crowd");
    // Every other client reads `batch` frames, as edge-chat's own client does.
    const people = await crowd(room, 500, 25, (n) => n % 2 === 1);
    expect(await shardLoads(room, 10)).toEqual([50, 50, 50, 50, 50, 50, 50, 50, 50, 0]);

    // One sender held by the room itself, the others on shards 1, 3, 5 and 9.
    const senders = [0, 60, 170, 280, 499].map((i) => people[i]!);
    await Promise.all(
      senders.map(async ({ socket }, s) => {
        for (const n of range(4)) {
          socket.send({ type: "send", id: `s${s}-${n}`, text: `from ${s}, number ${n}` });
          await socket.next("ack", (ack) => ack.id === `s${s}-${n}`);
        }
      }),
    );

    const everyText = senders.flatMap((_, s) => range(4).map((n) => `from ${s}, number ${n}`)).sort();
    await Promise.all(
      people.map(async ({ user, socket }) => {
        const own = senders.some((sender) => sender.user.id === user.id);
        const got = await messages(socket, own ? 16 : 20);
        const seqs = got.map((m) => m.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(new Set(seqs).size).toBe(seqs.length);
        const mine = own ? everyText.filter((text) => got.every((m) => m.text !== text)) : [];
        expect([...got.map((m) => m.text), ...mine].sort()).toEqual(everyText);
        if (own) expect(mine.every((text) => got.every((m) => m.from.id !== user.id))).toBe(true);
      }),
    );
    // Shards group a batch's frames per socket for the clients that read batches, and only for them.
    expect(people.slice(50).filter((_, i) => i % 2 === 1).reduce((sum, { socket }) => sum + socket.batches, 0)).toBeGreaterThan(0);
    expect(people.filter((_, i) => i % 2 === 0).reduce((sum, { socket }) => sum + socket.batches, 0)).toBe(0);
    const extra = await Promise.all(people.map(({ socket }) => socket.quietFor("message", 0)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(people.flatMap(({ socket }) => socket.pending("message"))).toEqual([]);
    expect(extra.flat()).toEqual([]);
  });
});

describe("a sharded room keeps the room's promises", () => {
  it("sends a direct message across shards to its two people only, and acks it on the sending socket", async () => {
    const room = newRoom("dm");
    const people = await crowd(room, 120);
    const [ada, bob, bystander] = [people[10]!, people[110]!, people[105]!];

    bob.socket.send({ type: "send", id: "dm-1", text: "psst, Ada", to: ada.user.id });
    const ack = await bob.socket.next("ack", (a) => a.id === "dm-1");
    expect(await ada.socket.next("message")).toMatchObject({ seq: ack.seq, text: "psst, Ada", to: ada.user.id, from: { id: bob.user.id } });
    expect(await bystander.socket.quietFor("message", 300)).toEqual([]);
    expect(bob.socket.pending("message")).toEqual([]);

    ada.socket.send({ type: "send", id: "dm-2", text: "hi Bob", to: bob.user.id });
    await ada.socket.next("ack");
    expect(await bob.socket.next("message")).toMatchObject({ text: "hi Bob", from: { id: ada.user.id } });
  });

  it("counts everyone online in welcome and who, wherever they are held, and tells everyone who came and went", async () => {
    const room = newRoom("presence");
    const people = await crowd(room, 70);
    const late = await newUser("Late");
    const arrival = await upgrade(room, late);
    // Held by shard 1, and counted with the 50 on the room object and the 20 beside it.
    expect((await arrival.joined()).welcome.online).toBe(71);
    people[5]!.socket.send({ type: "who" });
    expect((await people[5]!.socket.next("members")).online).toBe(71);
    for (const person of [people[0]!, people[65]!]) {
      await person.socket.next("presence", (p) => p.joined.some((u) => u.id === late.id));
    }

    await arrival.close();
    await people[0]!.socket.next("presence", (p) => p.left.some((u) => u.id === late.id));
    await people[65]!.socket.next("presence", (p) => p.left.some((u) => u.id === late.id));
    expect((await (await upgrade(room, await newUser("Again"))).joined()).welcome.online).toBe(71);
    // A `members` answer serves every `who` for a second (member-roster.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    people[6]!.socket.send({ type: "who" });
    expect((await people[6]!.socket.next("members")).online).toBe(71);
  });

  it("passes typing from a shard to the room's own sockets and back", async () => {
    const room = newRoom("typing");
    const people = await crowd(room, 60);
    people[55]!.socket.send({ type: "typing" });
    expect(await people[3]!.socket.next("typing")).toMatchObject({ user: { id: people[55]!.user.id } });
    people[3]!.socket.send({ type: "typing" });
    await people[58]!.socket.next("typing", (t) => t.user.id === people[3]!.user.id);
    // Nobody is told of their own typing, on a shard as on the room.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(people[55]!.socket.pending("typing").map((t) => t.user.id)).toEqual([people[3]!.user.id]);
  });

  it("closes a banned person's sockets on every shard, and the ban holds when they come back", async () => {
    const owner = await newUser("Owner");
    const created = await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "public", title: "Big" }) });
    const room = ((await created.json()) as { room: { id: string } }).room.id;
    const host = await connect(room, owner);
    const troll = await newUser("Troll");
    const onRoom = await connect(room, troll);
    await crowd(room, 60);
    // The room is full (50): these two tabs are held by shard 1 and shard 2.
    const onShards = [await connect(room, troll)];
    await crowd(room, 37);
    onShards.push(await connect(room, troll));
    expect(await shardLoads(room, 2)).toEqual([50, 1]);

    const banned = await api(owner, `/api/rooms/${room}/members/${troll.id}/ban`, { method: "POST", body: "{}" });
    expect(banned.status).toBe(200);
    for (const tab of [onRoom, ...onShards]) expect((await tab.closed).code).toBe(CloseCode.Forbidden);
    await expect.poll(() => shardLoads(room, 2)).toEqual([49, 0]);

    const back = await upgrade(room, troll);
    expect((await back.next("error")).code).toBe("forbidden");
    expect((await back.closed).code).toBe(CloseCode.Forbidden);
    expect(host.pending("error")).toEqual([]);
  });
});

describe("shards that sleep, restart and fail", () => {
  it("lets an idle shard and its room hibernate, answers pings without waking either, and delivers after both wake", async () => {
    const room = newRoom("sleepy");
    const people = await crowd(room, 60);
    const [onRoom, onShard] = [people[1]!, people[55]!];
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });
    await evictDurableObject(shardStub(room, 1), { webSockets: "hibernate" });

    for (let n = 1; n <= 3; n++) onShard.socket.send("ping");
    await expect.poll(() => onShard.socket.pongs).toBe(3);
    // Eviction refuses an object that is not running: neither woke for the pings.
    await expect(evictDurableObject(shardStub(room, 1), { webSockets: "hibernate" })).rejects.toThrow(/not (currently )?running/i);
    await expect(evictDurableObject(roomStub(room), { webSockets: "hibernate" })).rejects.toThrow(/not (currently )?running/i);

    onShard.socket.send({ type: "send", id: "wake", text: "anyone up?" });
    const ack = await onShard.socket.next("ack");
    expect(await onRoom.socket.next("message")).toMatchObject({ seq: ack.seq, text: "anyone up?" });
    expect(await people[59]!.socket.next("message")).toMatchObject({ seq: ack.seq });
    onRoom.socket.send({ type: "send", id: "reply", text: "yes" });
    await onRoom.socket.next("ack");
    expect(await onShard.socket.next("message")).toMatchObject({ text: "yes" });
  });

  it("resumes exactly after a shard restarts: what was sent meanwhile comes in the history, and the room stops counting the lost", async () => {
    const room = newRoom("restart");
    const people = await crowd(room, 60);
    const [speaker, lost] = [people[0]!, people[57]!];
    speaker.socket.send({ type: "send", id: "before", text: "before the restart" });
    const before = await lost.socket.next("message");

    await evictDurableObject(shardStub(room, 1), { webSockets: "close" });
    await lost.socket.closed;
    for (const n of range(3)) {
      speaker.socket.send({ type: "send", id: `during-${n}`, text: `while away ${n}` });
      await speaker.socket.next("ack", (a) => a.id === `during-${n}`);
    }

    const back = await upgrade(room, lost.user, `?after=${before.seq}`);
    const { history } = await back.joined();
    expect(history.messages.map((m) => m.text)).toEqual(["while away 0", "while away 1", "while away 2"]);
    // The shard's batches told the room what it no longer holds: the ten it lost are offline.
    await expect
      .poll(async () => {
        speaker.socket.send({ type: "who" });
        return (await speaker.socket.next("members")).online;
      }, { interval: 5100, timeout: 12_000 })
      .toBe(51);
  });

  it("after a deploy closes every socket, sends the returning crowd to the shards it had rather than to new ones", async () => {
    const room = newRoom("deploy");
    const people = await crowd(room, 50);
    // What a deploy leaves: the room's directory still lists shard 1's fifty connections, which
    // the restart closed without any shard telling the room.
    await runInDurableObject(roomStub(room), (_, state) => {
      for (let n = 0; n < 50; n++) {
        const connection = { connId: `gone-${n}`, user: { id: `g_gone_${n}`, name: `Gone ${n}` }, connectedAt: Date.now(), lastHeardAt: Date.now(), strikes: 0 };
        state.storage.sql.exec("INSERT INTO shard_connections (conn_id, shard, user_id, attachment) VALUES (?, 1, ?, ?)", connection.connId, connection.user.id, JSON.stringify(connection));
      }
    });
    await evictDurableObject(roomStub(room), { webSockets: "hibernate" });

    const returning = await crowd(room, 10);
    expect(await shardLoads(room, 2)).toEqual([10, 0]);
    returning[0]!.socket.send({ type: "who" });
    expect((await returning[0]!.socket.next("members")).online).toBe(60);
    expect(people).toHaveLength(50);
  });

  it("does not hold up other shards when one cannot take its batches, and that shard's clients catch up from their last seq", async () => {
    const room = newRoom("faulty");
    const people = await crowd(room, 150);
    const [speaker, onHealthy, onFaulty] = [people[0]!, people[120]!, people[70]!];
    let refused = 0;
    // Shard 1 refuses every attempt at the next batch (RETRY_DELAYS_MS: four attempts), then recovers.
    // RPC calls only methods of the class, so the fault goes on the prototype, for that one shard.
    await runInDurableObject(shardStub(room, 1), (faulty: FanoutShard) => {
      const proto = Object.getPrototypeOf(faulty) as FanoutShard;
      const deliver = proto.deliver;
      proto.deliver = async function (this: FanoutShard, batch) {
        if (this !== faulty || refused >= 4) return deliver.call(this, batch);
        if (++refused === 4) proto.deliver = deliver;
        throw new Error("shard overloaded");
      };
    });

    speaker.socket.send({ type: "send", id: "m1", text: "one" });
    const ack = await speaker.socket.next("ack");
    expect(await onHealthy.socket.next("message")).toMatchObject({ seq: ack.seq });
    // Delivered while shard 1's batch was still being retried (50 + 250 + 1000 ms).
    expect(refused).toBeLessThan(4);

    expect((await onFaulty.socket.closed).code).toBe(CloseCode.CatchUp);
    expect(refused).toBe(4);
    expect(onFaulty.socket.pending("message")).toEqual([]);
    const back = await upgrade(room, onFaulty.user, `?after=${ack.seq - 1}`);
    expect((await back.joined()).history.messages.map((m) => m.text)).toEqual(["one"]);
    back.send({ type: "send", id: "m2", text: "two" });
    await back.next("ack");
    expect(await onHealthy.socket.next("message")).toMatchObject({ text: "two" });
  });
});
