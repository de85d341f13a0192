import { env } from "cloudflare:test";
import { afterEach } from "vitest";
import { shardName } from "../../src/shard/shard-batch";
import { connect as connectTo, newUser, upgrade as upgradeTo, type TestUser } from "../runtime/helpers";
import type { TestSocket } from "../support/test-socket";

export const roomStub = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));
export const shardStub = (room: string, shard: number) => env.SHARDS.get(env.SHARDS.idFromName(shardName(room, shard)));

const open: TestSocket[] = [];

/**
 * Every socket a test opened is closed when it ends, and the close waited for: a shard told of
 * a close calls the room, and hundreds of such calls still running when the file's runtime is
 * torn down failed the run ("Closing rpc while 'resolve' was pending").
 */
afterEach(async () => {
  const closing = open.splice(0).map((socket) => Promise.race([socket.close(), new Promise((resolve) => setTimeout(resolve, 2000))]));
  await Promise.all(closing);
});

export async function connect(...args: Parameters<typeof connectTo>): Promise<TestSocket> {
  const socket = await connectTo(...args);
  open.push(socket);
  return socket;
}

export async function upgrade(...args: Parameters<typeof upgradeTo>): Promise<TestSocket> {
  const socket = await upgradeTo(...args);
  open.push(socket);
  return socket;
}

export interface Person {
  user: TestUser;
  socket: TestSocket;
}

/**
 * `count` people connected to `room`, `together` at a time, in the order they were placed;
 * those for whom `readsBatches` says so ask for `batch` frames.
 */
export async function crowd(room: string, count: number, together = 25, readsBatches = (_: number) => false): Promise<Person[]> {
  const people: Person[] = [];
  for (let start = 0; start < count; start += together) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(together, count - start) }, async (_, n) => {
        const user = await newUser(`P${start + n}`);
        return { user, socket: await connect(room, user, readsBatches(start + n) ? "?batch=1" : "") };
      }),
    );
    people.push(...batch);
  }
  return people;
}

/** How many connections each shard holds, shard 1 first. */
export async function shardLoads(room: string, shards: number): Promise<number[]> {
  return Promise.all(Array.from({ length: shards }, async (_, k) => (await shardStub(room, k + 1).connections()).length));
}
