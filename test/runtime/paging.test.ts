import { describe, expect, it } from "vitest";
import type { CreatedRoom, MessagesPage, ModerationPage } from "../../src/protocol";
import { api, newRoom, newUser } from "./helpers";

// Every listing pages the same way: `more`, and `next` to pass back as the cursor it was read by.
describe("paged listings", () => {
  it("page messages back from the newest and forward from a seq, by their next", async () => {
    const [ada, room] = [await newUser("Ada"), newRoom("paging")];
    for (let n = 1; n <= 5; n++) {
      expect((await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: `m${n}`, text: `message ${n}` }) })).status).toBe(201);
    }
    const read = async (query: string) => {
      const page = (await (await api(ada, `/api/rooms/${room}/messages?${query}`)).json()) as MessagesPage;
      return { seqs: page.messages.map((m) => m.seq), more: page.more, next: page.next };
    };

    expect(await read("limit=2")).toEqual({ seqs: [4, 5], more: true, next: 4 });
    expect(await read("limit=2&before=4")).toEqual({ seqs: [2, 3], more: true, next: 2 });
    expect(await read("limit=2&before=2")).toEqual({ seqs: [1], more: false, next: undefined });

    expect(await read("limit=2&after=0")).toEqual({ seqs: [1, 2], more: true, next: 2 });
    expect(await read("limit=2&after=2")).toEqual({ seqs: [3, 4], more: true, next: 4 });
    expect(await read("limit=2&after=4")).toEqual({ seqs: [5], more: false, next: undefined });
  });

  it("page the moderation log, newest first, by its next", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room } = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "public" }) })).json()) as CreatedRoom;
    await api(member, `/api/rooms/${room.id}/join`, { method: "POST" });
    for (let n = 0; n < 3; n++) {
      expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}/mute`, { method: "POST", body: "{}" })).status).toBe(200);
      expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}/mute`, { method: "DELETE" })).status).toBe(204);
    }
    const read = async (query: string) => (await (await api(owner, `/api/rooms/${room.id}/moderation?${query}`)).json()) as ModerationPage;

    const all = await read("");
    expect(all.events.map((e) => e.action)).toEqual(["unmute", "mute", "unmute", "mute", "unmute", "mute"]);
    expect(all).toMatchObject({ more: false });
    expect(all.next).toBeUndefined();

    const pages: ModerationPage[] = [await read("limit=4")];
    while (pages.at(-1)!.more && pages.length < 3) pages.push(await read(`limit=4&before=${pages.at(-1)!.next}`));
    expect(pages.map((page) => page.events.length)).toEqual([4, 2]);
    expect(pages.flatMap((page) => page.events)).toEqual(all.events);
    expect((await api(owner, `/api/rooms/${room.id}/moderation?limit=501`)).status).toBe(400);
  });
});
