import { describe, expect, it } from "vitest";
import { shownMessages, useBrowserChat, type Person } from "../support/browser";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** Signs `p` in as `name`, creates a public room with `texts` said in it (through the API, as `p`), and opens it. */
async function roomWith(p: Person, name: string, texts: string[]): Promise<string> {
  await p.page.goto(chat().base);
  await p.page.fill("#name", name);
  await p.page.click("#sign-in button[type=submit]");
  await p.page.locator("#signed-in").waitFor();
  const room = await p.page.evaluate(async (texts) => {
    const { token } = JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string };
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const created = (await (await fetch("/api/rooms", { method: "POST", headers, body: JSON.stringify({ visibility: "public", title: "Trips" }) })).json()) as { room: { id: string } };
    for (const [n, text] of texts.entries()) {
      await fetch(`/api/rooms/${created.room.id}/messages`, { method: "POST", headers, body: JSON.stringify({ id: `m${n}`, text }) });
    }
    return created.room.id;
  }, texts);
  await p.page.goto(`${chat().base}/r/${room}`);
  await poll(async () => (await shownMessages(p)).length).toBe(texts.length);
  return room;
}

describe("searching a room", () => {
  it("opens with /, finds a message by a word, marked, and goes to it in the timeline; Escape closes it", async () => {
    const ada = await person();
    const fillers = Array.from({ length: 17 }, (_, n) => `plans, part ${n + 1}`);
    await roomWith(ada, "Ada", ["Kayak trip on Saturday: who is in?", ...fillers]);
    const list = ada.page.locator("#messages");
    const target = ada.page.locator("#messages .message", { hasText: "Kayak trip" });
    // The page starts at the newest message: the first one is out of sight.
    const inSight = async () => {
      const [box, of] = [await target.boundingBox(), await list.boundingBox()];
      return box !== null && of !== null && box.y >= of.y && box.y + box.height <= of.y + of.height;
    };
    await poll(inSight).toBe(false);

    await ada.page.locator("body").press("/");
    await poll(() => ada.page.evaluate(() => document.activeElement?.id)).toBe("search-q");
    await ada.page.fill("#search-q", "kayak");
    await ada.page.press("#search-q", "Enter");
    await poll(() => ada.page.locator("#search-results .search-result .text").allTextContents()).toEqual(["Kayak trip on Saturday: who is in?"]);
    expect(await ada.page.locator("#search-results mark").allTextContents()).toEqual(["Kayak"]);

    await ada.page.click("#search-results .search-result");
    await poll(() => ada.page.locator("#search-panel").isHidden()).toBe(true);
    await poll(inSight).toBe(true);

    await ada.page.locator("body").press("Control+k");
    await poll(() => ada.page.locator("#search-panel").isVisible()).toBe(true);
    await ada.page.press("#search-q", "Escape");
    await poll(() => ada.page.locator("#search-panel").isHidden()).toBe(true);

    await ada.page.locator("body").press("/");
    await ada.page.fill("#search-q", "canoe");
    await ada.page.press("#search-q", "Enter");
    await poll(() => ada.page.locator("#search-note").textContent()).toBe("No messages found.");
  });

  it("from the home page finds a message in any room, and its link opens the room at that message", async () => {
    const bea = await person();
    const fillers = Array.from({ length: 17 }, (_, n) => `agenda item ${n + 1}`);
    const room = await roomWith(bea, "Bea", ["The **canoe** rental closes at five", ...fillers]);
    await bea.page.goto(chat().base);
    await bea.page.fill("#search-all-q", "canoe");
    await bea.page.press("#search-all-q", "Enter");
    const result = bea.page.locator("#search-all-results .search-result");
    await poll(() => result.count()).toBe(1);
    expect(await result.locator(".room-title").textContent()).toBe("Trips");
    expect(await result.locator("mark").allTextContents()).toEqual(["canoe"]);
    // One plain line, as on the home: the marks the writer typed are not shown.
    expect(await result.locator(".text").textContent()).toBe("The canoe rental closes at five");

    await result.click();
    await bea.page.waitForURL(`${chat().base}/r/${room}`);
    const target = bea.page.locator("#messages .message", { hasText: "canoe rental" });
    await poll(async () => {
      const [box, of] = [await target.boundingBox(), await bea.page.locator("#messages").boundingBox()];
      return box !== null && of !== null && box.y >= of.y && box.y + box.height <= of.y + of.height;
    }).toBe(true);
  });
});
