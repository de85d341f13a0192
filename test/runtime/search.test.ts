import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ApiErrorBody, MySearchPage, SearchPage } from "../../src/protocol";
import type { ChatRoom } from "../../src/room/chat-room";
import { api, newRoom, newUser, type TestUser } from "./helpers";

async function post(user: TestUser, room: string, text: string, to?: string): Promise<number> {
  const response = await api(user, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: crypto.randomUUID(), text, ...(to ? { to } : {}) }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { seq: number }).seq;
}

async function search(user: TestUser, room: string, q: string, extra = ""): Promise<SearchPage> {
  const response = await api(user, `/api/rooms/${room}/search?q=${encodeURIComponent(q)}${extra}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as SearchPage;
}

const texts = (page: SearchPage) => page.results.map((result) => result.text);

/** Every piece of text the index keeps on disk: its pages and its copy of the indexed text. */
async function indexHolds(room: string, word: string): Promise<boolean> {
  return runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_, state) => {
    const sql = state.storage.sql;
    const pages = sql.exec<{ block: ArrayBuffer }>("SELECT block FROM search_index_data").toArray().map((row) => new TextDecoder().decode(row.block));
    const copies = sql.exec<{ c0: string }>("SELECT c0 FROM search_index_content").toArray().map((row) => row.c0);
    return [...pages, ...copies].some((text) => text.includes(word));
  });
}

describe("searching a room", () => {
  it("finds a word anywhere in a message, newest first, by prefix and by phrase, and pages back", async () => {
    const room = newRoom("search");
    const ada = await newUser("Ada");
    const first = await post(ada, room, "The design review is on Friday");
    await post(ada, room, "lunch?");
    const third = await post(ada, room, "Designers: the REVIEW moved to Monday");
    await post(ada, room, "review the budget");

    expect(texts(await search(ada, room, "review"))).toEqual(["review the budget", "Designers: the REVIEW moved to Monday", "The design review is on Friday"]);
    expect(texts(await search(ada, room, "desig*"))).toEqual(["Designers: the REVIEW moved to Monday", "The design review is on Friday"]);
    expect(texts(await search(ada, room, '"design review"'))).toEqual(["The design review is on Friday"]);
    expect(texts(await search(ada, room, "review monday"))).toEqual(["Designers: the REVIEW moved to Monday"]);

    const page = await search(ada, room, "review", "&limit=2");
    expect(page).toMatchObject({ more: true, next: third });
    const rest = await search(ada, room, "review", `&limit=2&before=${page.next}`);
    expect(rest).toMatchObject({ more: false, results: [{ seq: first, from: { id: ada.id, name: "Ada" } }] });
  });

  it("finds two Chinese characters inside a sentence, and one character where it begins a pair", async () => {
    const room = newRoom("search-zh");
    const ada = await newUser("Ada");
    await post(ada, room, "我们明天开会讨论预算");
    await post(ada, room, "会议室在三楼 meeting room 3F");
    await post(ada, room, "今天不开会");

    expect(texts(await search(ada, room, "开会"))).toEqual(["今天不开会", "我们明天开会讨论预算"]);
    expect(texts(await search(ada, room, "明天开会"))).toEqual(["我们明天开会讨论预算"]);
    expect(texts(await search(ada, room, "预算"))).toEqual(["我们明天开会讨论预算"]);
    expect(texts(await search(ada, room, "会议 meeting"))).toEqual(["会议室在三楼 meeting room 3F"]);
    expect(texts(await search(ada, room, "讨"))).toEqual(["我们明天开会讨论预算"]);
    expect(texts(await search(ada, room, "后天"))).toEqual([]);
  });

  it("never shows someone else's direct message, a deleted message, or an edit's old words", async () => {
    const room = newRoom("search-private");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    await post(cy, room, "hello everyone");
    await post(bob, room, "hello");
    await post(ada, room, "secret plan for Bob", bob.id);
    expect(texts(await search(ada, room, "secret"))).toEqual(["secret plan for Bob"]);
    expect((await search(bob, room, "secret")).results[0]).toMatchObject({ to: bob.id, from: { id: ada.id } });
    expect(texts(await search(cy, room, "secret"))).toEqual([]);

    const gone = await post(ada, room, "zebrafish recipe");
    expect(texts(await search(cy, room, "zebrafish"))).toEqual(["zebrafish recipe"]);
    expect(await indexHolds(room, "zebrafish")).toBe(true);
    expect((await api(ada, `/api/rooms/${room}/messages/${gone}`, { method: "DELETE", body: JSON.stringify({ id: "del-1" }) })).status).toBe(201);
    expect(texts(await search(cy, room, "zebrafish"))).toEqual([]);
    expect(await indexHolds(room, "zebrafish")).toBe(false);

    const edited = await post(ada, room, "meet at the aquarium");
    expect(await indexHolds(room, "aquarium")).toBe(true);
    expect((await api(ada, `/api/rooms/${room}/messages/${edited}`, { method: "PATCH", body: JSON.stringify({ id: "edit-1", text: "meet at the planetarium" }) })).status).toBe(201);
    expect(texts(await search(cy, room, "planetarium"))).toEqual(["meet at the planetarium"]);
    expect(texts(await search(cy, room, "aquarium"))).toEqual([]);
    expect(await indexHolds(room, "aquarium")).toBe(false);
  });

  it("reads what a person types as words, never as the index's own syntax, and refuses an empty search", async () => {
    const room = newRoom("search-syntax");
    const ada = await newUser("Ada");
    await post(ada, room, "cats OR dogs: NEAR the -door");
    for (const typed of ["OR", "NEAR(", "-door", 'dogs"', "dogs:", "cats^", "^ cats *", "c*"]) {
      expect(texts(await search(ada, room, typed)), typed).toEqual(["cats OR dogs: NEAR the -door"]);
    }
    // Not a column filter, nor a NOT: only words, all of which must be there.
    expect(texts(await search(ada, room, "text:cats"))).toEqual([]);
    expect(texts(await search(ada, room, "cats NOT dogs"))).toEqual([]);
    for (const typed of ["", "   ", "?!", "x".repeat(201)]) {
      const refused = await api(ada, `/api/rooms/${room}/search?q=${encodeURIComponent(typed)}`);
      expect(refused.status, typed).toBe(400);
      expect(((await refused.json()) as ApiErrorBody).error.code).toBe("bad_message");
    }
  });

  it("is for those who may read the room, and at most SEARCHES_PER_MINUTE times a minute each (12 in this project)", async () => {
    const [owner, stranger, other] = [await newUser("Owner"), await newUser("Stranger"), await newUser("Other")];
    const created = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).json()) as { room: { id: string } };
    expect((await api(stranger, `/api/rooms/${created.room.id}/search?q=plan`)).status).toBe(403);

    const room = newRoom("search-rate");
    for (let n = 0; n < 12; n++) await search(owner, room, "anything");
    const refused = await api(owner, `/api/rooms/${room}/search?q=anything`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ApiErrorBody).error.retryAfterMs).toBeGreaterThan(0);
    // Someone else searching is not held back.
    await search(other, room, "anything");
  });

  it("covers the messages a room held before it had an index", async () => {
    const room = newRoom("search-older");
    const ada = await newUser("Ada");
    await post(ada, room, "an old message about kayaks");
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    // As a room stored by the version before search.
    await runInDurableObject(stub, (_, state) => state.storage.sql.exec("DROP TABLE search_index"));
    await evictDurableObject(stub);
    expect(texts(await search(ada, room, "kayaks"))).toEqual(["an old message about kayaks"]);
  });
});

describe("searching all your rooms", () => {
  async function searchAll(user: TestUser, q: string, extra = ""): Promise<MySearchPage> {
    const response = await api(user, `/api/me/search?q=${encodeURIComponent(q)}${extra}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as MySearchPage;
  }

  it("merges the newest matches of every room you are in by time, each with its room, and only what you may see", async () => {
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const [first, second, elsewhere] = [newRoom("all-a"), newRoom("all-b"), newRoom("all-c")];
    await post(ada, first, "quokka sighting at the lake");
    await post(bob, second, "hello");
    await post(ada, second, "another quokka, bigger");
    await post(bob, second, "quokka photos for Ada only", ada.id);
    await post(cy, elsewhere, "a quokka in a room Ada is not in");
    await post(ada, first, "no match here");

    const page = await searchAll(ada, "quokka");
    expect(page.results.map((r) => [r.room.id, r.text])).toEqual([
      [second, "quokka photos for Ada only"],
      [second, "another quokka, bigger"],
      [first, "quokka sighting at the lake"],
    ]);
    expect(page).toMatchObject({ more: false });
    expect(page).not.toHaveProperty("unsearched");
    expect((await searchAll(cy, "quokka")).results.map((r) => r.text)).toEqual(["a quokka in a room Ada is not in"]);
    expect(await searchAll(ada, "quokka", "&limit=1")).toMatchObject({ more: true, results: [{ text: "quokka photos for Ada only" }] });
  });

  it("answers with what the rooms that could answer found, and says how many could not", async () => {
    const ada = await newUser("Ada");
    const [fine, failing] = [newRoom("all-fine"), newRoom("all-failing")];
    await post(ada, fine, "wombat");
    await post(ada, failing, "wombat too");
    const prototype = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(failing)), (instance: ChatRoom) => Object.getPrototypeOf(instance) as ChatRoom);
    const searchMessages = prototype.searchMessages;
    // One room fails to answer; the others answer as ever.
    prototype.searchMessages = async function (this: ChatRoom, ...args) {
      if ((this as unknown as { ctx: DurableObjectState }).ctx.id.equals(env.ROOMS.idFromName(failing))) throw new Error("unreachable");
      return searchMessages.apply(this, args);
    };
    try {
      expect(await searchAll(ada, "wombat")).toMatchObject({ results: [{ text: "wombat", room: { id: fine } }], unsearched: 1 });
    } finally {
      prototype.searchMessages = searchMessages;
    }
  });
});
