import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../src/client/chat-client";
import type { MessagesPage } from "../../src/protocol";
import { E2E_JWT_SECRET, LocalChat, uniqueRoom } from "../support/local-chat";
import { MemoryStore } from "../support/memory-store";
import { forgeSessionToken } from "../support/tokens";

// The room object holds 50 connections and each fan-out shard 50 more: 500 people fill ten objects.
const SHARD_CAPACITY = 50;
const PEOPLE = 500;
const SENDERS = 10;
const MESSAGES_EACH = 3;

let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start({ SHARD_CAPACITY: String(SHARD_CAPACITY) });
});

afterAll(() => chat.stop());

interface Person {
  id: string;
  token: string;
  client: ChatClient;
  sent: string[];
  /** What this client showed, in the order it showed it. */
  shown: { seq: number; id: string; to?: string }[];
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedIds(room: string, token: string): Promise<{ seq: number; id: string }[]> {
  const page = await chat.api<MessagesPage>(token, `/api/rooms/${room}/messages?after=0&limit=500`);
  return page.body.messages.map(({ seq, id }) => ({ seq, id }));
}

describe("a room of 500 on ten objects, under the real client", () => {
  it("shows everyone every message once and in order, before and after every shard restarts, and keeps direct messages to their two people", async () => {
    const room = uniqueRoom("sharded");
    const people: Person[] = [];
    for (let n = 0; n < PEOPLE; n++) {
      const id = `g_crowd_${n}`;
      const token = await forgeSessionToken(E2E_JWT_SECRET, { sub: id, name: `Person ${n}` });
      const client = new ChatClient({ baseUrl: chat.base, room, token, storage: new MemoryStore() });
      const person: Person = { id, token, client, sent: [], shown: [] };
      client.on("message", (m) => person.shown.push({ seq: m.seq, id: m.id, ...(m.to ? { to: m.to } : {}) }));
      people.push(person);
      // Arriving in tens keeps the placement in arrival order: the first 50 on the room, then shard by shard.
      if (n % 10 === 9) await until(() => people.every((p) => p.client.connection.state === "online"), `${n + 1} are online`);
    }

    // Senders spread over the room object and every shard.
    const senders = Array.from({ length: SENDERS }, (_, k) => people[k * SHARD_CAPACITY + 7]!);
    const round = async (label: string) => {
      await Promise.all(
        senders.map(async (sender, k) => {
          for (let n = 0; n < MESSAGES_EACH; n++) {
            sender.sent.push(sender.client.send(`${label} ${n} from sender ${k}`));
            await new Promise((resolve) => setTimeout(resolve, 30));
          }
        }),
      );
    };
    const shownEverything = async () => {
      await until(() => senders.every((p) => p.sent.every((id) => p.shown.some((s) => s.id === id))), "every message is acknowledged");
      const stored = await storedIds(room, people[0]!.token);
      await until(() => people.every((p) => p.shown.filter((s) => !s.to).length >= stored.length), "everyone has seen everything");
      for (const person of people) expect(person.shown.filter((s) => !s.to)).toEqual(stored);
      return stored;
    };

    await round("before");
    expect((await shownEverything()).length).toBe(SENDERS * MESSAGES_EACH);

    // A deploy restarts every object and closes every socket: each client reconnects, is placed
    // again, and resumes from the last seq it showed.
    await chat.restart();
    await round("after");
    const stored = await shownEverything();
    expect(stored.length).toBe(2 * SENDERS * MESSAGES_EACH);
    expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => i + 1));

    // From a person on the last shard to one held by the room object.
    const [from, to] = [people[PEOPLE - 1]!, people[3]!];
    const dm = from.client.send("just between us", { to: to.id });
    await until(() => to.shown.some((s) => s.id === dm), "the direct message arrives");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(people.filter((p) => p.shown.some((s) => s.id === dm)).map((p) => p.id)).toEqual([to.id, from.id]);

    for (const person of people) person.client.close();
  }, 240_000);
});
