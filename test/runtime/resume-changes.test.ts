import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MessagesPage } from "../../src/protocol";
import { caughtUp, playScript, readAll, Recorder, resumeFrom, seeded, type Actor } from "../support/change-script";
import { api, connect, newRoom, newUser, upgrade } from "./helpers";

describe("a client resuming after changes", () => {
  it("ends with exactly the messages of one that never left, from every 50th seq, before and after the room hibernates", { timeout: 60_000 }, async () => {
    const room = newRoom("resume-changes");
    const observer = await newUser("Olive");
    // Olive watches on one socket and acts on another, so her own changes reach her watcher.
    const watching = await connect(room, observer);
    const recorder = new Recorder(observer.id, watching, { messages: [] });
    const actors: Actor[] = [{ id: observer.id, socket: await connect(room, observer) }];
    // 25 people making 20 changes each stay under the rate limit of 20 per 10 s.
    for (let n = 0; n < 24; n++) {
      const user = await newUser(`Actor ${n}`);
      actors.push({ id: user.id, socket: await connect(room, user) });
    }
    const read = async (after: number) => (await (await api(observer, `/api/rooms/${room}/messages?after=${after}&limit=500`)).json()) as MessagesPage;
    const truth = async () => (await readAll(observer.id, read)).list();
    const resume = (after: number) =>
      resumeFrom(
        recorder.upTo(observer.id, after),
        (from) => upgrade(room, observer, `?after=${from}`),
        read,
        after,
      );
    const random = seeded(17);
    await playScript(actors, () => recorder.conversation.list(), 250, random, 0);
    // A resume halfway fills the room's window of recent entries, which the rest must keep true.
    expect(await resume(100)).toEqual(await caughtUp(recorder, truth));
    await playScript(actors, () => recorder.conversation.list(), 250, random, 250);
    const final = await caughtUp(recorder, truth);
    expect(final.some((m) => m.deleted)).toBe(true);
    expect(final.some((m) => m.editedAt !== undefined)).toBe(true);
    expect(final.some((m) => m.reactions !== undefined)).toBe(true);
    expect(final.some((m) => m.replyTo !== undefined)).toBe(true);
    expect(final.some((m) => m.to !== undefined)).toBe(true);

    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    const latest = final.at(-1)!.seq;
    for (const hibernated of [false, true]) {
      if (hibernated) await evictDurableObject(stub, { webSockets: "hibernate" });
      for (let after = 0; after <= latest + 50; after += 50) {
        expect(await resume(after), `resumed from ${after}${hibernated ? " after hibernation" : ""}`).toEqual(final);
      }
    }
  });
});
