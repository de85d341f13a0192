import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessagesPage, SessionResponse } from "../../src/protocol";
import { caughtUp, playScript, readAll, Recorder, resumeFrom, seeded, type Actor } from "../support/change-script";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

let chat: LocalChat;

beforeAll(async () => {
  // Five people make 100 changes each: far past the default rate limit, which is not under test.
  chat = await LocalChat.start({ RATE_LIMIT_MESSAGES: "1000000" });
});

afterAll(() => chat.stop());

async function page(session: SessionResponse, room: string, after: number): Promise<MessagesPage> {
  return (await chat.api<MessagesPage>(session.token, `/api/rooms/${room}/messages?after=${after}&limit=500`)).body;
}

describe("500 sends, edits, deletions and reactions from 5 clients against the real server", () => {
  it("leave a client resuming from every 50th seq with the messages of one that never left, also after a restart", { timeout: 120_000 }, async () => {
    const room = uniqueRoom("resume-changes");
    const observer = await chat.signIn("Olive");
    const watching = await TestSocket.open(chat.socketUrl(room), observer.token);
    await watching.joined();
    const recorder = new Recorder(observer.user.id, watching, { messages: [] });
    const actors: Actor[] = [];
    for (const session of [observer, ...(await Promise.all(["Ada", "Bob", "Cy", "Di"].map((name) => chat.signIn(name))))]) {
      const socket = await TestSocket.open(chat.socketUrl(room), session.token);
      await socket.joined();
      actors.push({ id: session.user.id, socket });
    }
    await playScript(actors, () => recorder.conversation.list(), 500, seeded(42));
    const final = await caughtUp(recorder, async () => (await readAll(observer.user.id, (after) => page(observer, room, after))).list());
    for (const actor of actors) await actor.socket.close();
    await watching.close();

    const latest = Math.max(...recorder.frames.map((f) => f.seq));
    for (const restarted of [false, true]) {
      if (restarted) await chat.restart();
      for (let after = 0; after <= latest; after += 50) {
        const resumed = await resumeFrom(
          recorder.upTo(observer.user.id, after),
          async (from) => TestSocket.open(chat.socketUrl(room, `?after=${from}`), observer.token),
          (from) => page(observer, room, from),
          after,
        );
        expect(resumed, `resumed from ${after}${restarted ? " after a restart" : ""}`).toEqual(final);
      }
    }
  });
});
