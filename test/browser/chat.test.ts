import { describe, expect, it } from "vitest";
import { say, shownMessages, signInAndJoin, useBrowserChat } from "../support/browser";
import { uniqueRoom } from "../support/local-chat";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

describe("two people in a room", () => {
  it("sign in, chat, see each other, and send a direct message only its recipient sees", async () => {
    const room = uniqueRoom("browsers");
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await signInAndJoin(alice, chat().base, "Alice", room);
    await signInAndJoin(bob, chat().base, "Bob", room);
    await signInAndJoin(carol, chat().base, "Carol", room);

    await poll(() => alice.page.locator("#member-list li.online").allTextContents()).toHaveLength(3);
    await say(alice, "Hi Bob and Carol!");
    await say(bob, "Hello Alice");
    for (const p of [alice, bob, carol]) await poll(() => shownMessages(p)).toEqual(["Hi Bob and Carol!", "Hello Alice"]);

    await alice.page.click('#member-list button:has-text("Bob")');
    await say(alice, "Only for you, Bob");
    await poll(() => shownMessages(bob)).toContain("Only for you, Bob");
    await expect(bob.page.locator(".message.direct .dm-mark").textContent()).resolves.toBe("direct message to you");
    await poll(() => shownMessages(alice)).toContain("Only for you, Bob");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await shownMessages(carol)).not.toContain("Only for you, Bob");

    await bob.page.fill("#text", "typing something");
    await poll(() => alice.page.locator("#typing").textContent()).toBe("Bob is typing…");

    if (process.env.UPDATE_SCREENSHOT) await alice.page.screenshot({ path: "docs/room.png" });
    for (const p of [alice, bob, carol]) expect(p.errors).toEqual([]);
  });

  it("come back by themselves after the server restarts, and lose nothing", async () => {
    const room = uniqueRoom("restart");
    const [alice, bob] = [await person(), await person()];
    await signInAndJoin(alice, chat().base, "Alice", room);
    await signInAndJoin(bob, chat().base, "Bob", room);
    await say(alice, "before the restart");
    await poll(() => shownMessages(bob)).toEqual(["before the restart"]);

    const restarted = chat().restart();
    await poll(() => alice.page.locator("#status").getAttribute("data-state")).not.toBe("online");
    await say(alice, "written while the server was down");
    await restarted;

    for (const p of [alice, bob]) {
      await poll(() => p.page.locator("#status").getAttribute("data-state")).toBe("online");
      await poll(() => shownMessages(p)).toEqual(["before the restart", "written while the server was down"]);
    }
    await say(bob, "after the restart");
    await poll(() => shownMessages(alice)).toEqual(["before the restart", "written while the server was down", "after the restart"]);
    await expect(alice.page.locator(".message.pending, .message.failed").count()).resolves.toBe(0);
  });
});

describe("people whose names look alike", () => {
  it("are told apart by a tag from their id, and the room's owner by a badge", async () => {
    const owner = await chat().signIn("Ada");
    const created = await chat().api<{ room: { id: string } }>(owner.token, "/api/rooms", {
      method: "POST",
      body: JSON.stringify({ visibility: "public", title: "Look-alikes" }),
    });
    const room = created.body.room.id;
    await chat().api(owner.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "o1", text: "I made this room" }) });
    const [copycat, bob] = [await person(), await person()];
    await signInAndJoin(copycat, chat().base, "Ad\u0430", room); // a Cyrillic а
    await signInAndJoin(bob, chat().base, "Bob", room);
    await say(copycat, "I am the real Ada");

    const tags = (p: typeof bob) =>
      p.page.locator("#messages .message .meta").evaluateAll((metas) =>
        metas.map((meta) => [meta.querySelector("bdi.sender")?.textContent, meta.querySelector(".name-tag")?.textContent ?? null, Boolean(meta.querySelector(".owner-badge"))]),
      );
    await poll(() => tags(bob)).toEqual([
      ["Ada", `#${owner.user.id.slice(-4)}`, true],
      ["Ad\u0430", expect.stringMatching(/^#.{4}$/), false],
    ]);
    const shown = await tags(bob);
    expect(shown[0]![1]).not.toBe(shown[1]![1]);
    await poll(() => bob.page.locator('#member-list button:has-text("Bob") .name-tag').count()).toBe(0);
  });

  it("cannot sign in with invisible or direction-changing characters", async () => {
    const mallory = await person();
    await mallory.page.goto(chat().base);
    await mallory.page.fill("#name", "\u202eAda");
    await mallory.page.click("#sign-in button[type=submit]");
    await poll(() => mallory.page.locator("#sign-in-error").textContent()).toContain("direction-changing");
  });
});

describe("the sign-in page", () => {
  it("shows only the notices it knows, never text from its address", async () => {
    const visitor = await person();
    await visitor.page.goto(`${chat().base}/?reason=${encodeURIComponent("Your account is locked. Call 555-0100.")}`);
    await expect(visitor.page.locator("#notice").isHidden()).resolves.toBe(true);
    await visitor.page.goto(`${chat().base}/?reason=signed-out`);
    await poll(() => visitor.page.locator("#notice").textContent()).toContain("You were signed out");
  });
});

describe("a browser without WebSocket", () => {
  it("chats over HTTP", async () => {
    const room = uniqueRoom("no-websocket");
    const [alice, bob] = [await person({ withoutWebSocket: true }), await person()];
    await signInAndJoin(alice, chat().base, "Alice", room);
    await signInAndJoin(bob, chat().base, "Bob", room);
    await poll(() => alice.page.locator("#status").getAttribute("data-transport")).toBe("http");

    await say(alice, "sent over HTTP");
    await poll(() => shownMessages(bob)).toEqual(["sent over HTTP"]);
    await say(bob, "received by long-polling");
    await poll(() => shownMessages(alice)).toEqual(["sent over HTTP", "received by long-polling"]);
  });
});

describe("hostile text", () => {
  it("shows markup in a message as text, running nothing", async () => {
    const room = uniqueRoom("xss");
    const [mallory, victim] = [await person(), await person()];
    await signInAndJoin(mallory, chat().base, "<b>Mallory</b>", room);
    await signInAndJoin(victim, chat().base, "Victim", room);

    const attack = "<img src=x onerror=alert(1)> see https://example.com/page?q=1";
    await say(mallory, attack);

    await poll(() => shownMessages(victim)).toEqual([attack]);
    expect(await victim.page.locator("#messages img").count()).toBe(0);
    expect(await victim.page.locator(".message .sender").first().textContent()).toBe("<b>Mallory</b>");
    const link = victim.page.locator(".message .text a");
    expect(await link.getAttribute("href")).toBe("https://example.com/page?q=1");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(victim.dialogs).toEqual([]);
  });
});

describe("an expired or invalid session", () => {
  it("sends the person back to sign-in, saying why, and then back to the room", async () => {
    const room = uniqueRoom("expired");
    const alice = await person();
    await alice.page.goto(`${chat().base}/`);
    await alice.page.evaluate(() =>
      localStorage.setItem(
        "edge-chat:session",
        JSON.stringify({ token: "not.a.token", user: { id: "g_x", name: "Alice" }, expiresAt: Date.now() + 3_600_000 }),
      ),
    );

    await alice.page.goto(`${chat().base}/r/${room}`);

    await alice.page.waitForURL(/\/\?next=/);
    await expect(alice.page.locator("#notice").textContent()).resolves.toContain("signed out");
    await alice.page.fill("#name", "Alice");
    await alice.page.click("#sign-in button[type=submit]");
    await alice.page.waitForURL(`${chat().base}/r/${room}`);
    await poll(() => alice.page.locator("#status").getAttribute("data-state")).toBe("online");
  });
});

describe("the room page for someone who does not use a mouse", () => {
  it("on a 390 px phone never takes Tab into the closed members list, opens and closes it from the keyboard, and announces a new message once", async () => {
    const room = uniqueRoom("keyboard");
    const [ada, bob] = [await person(), await person()];
    await ada.page.setViewportSize({ width: 390, height: 844 });
    await signInAndJoin(ada, chat().base, "Ada", room);
    await signInAndJoin(bob, chat().base, "Bob", room);
    await ada.page.locator('#member-list button:has-text("Bob")').waitFor({ state: "attached" });

    // Tab through the whole page: nothing reached is out of sight, and nothing is in the closed list.
    const reached: { id: string; inMembers: boolean; visible: boolean }[] = [];
    for (let n = 0; n < 25; n++) {
      await ada.page.keyboard.press("Tab");
      reached.push(
        await ada.page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          const box = element.getBoundingClientRect();
          return { id: element.id || element.tagName, inMembers: element.closest("#members") !== null, visible: box.right > 0 && box.left < innerWidth && box.bottom > 0 && box.top < innerHeight };
        }),
      );
    }
    expect(reached.filter((r) => r.inMembers)).toEqual([]);
    expect(reached.filter((r) => !r.visible)).toEqual([]);

    await ada.page.focus("#toggle-members");
    await ada.page.keyboard.press("Enter");
    await poll(() => ada.page.evaluate(() => document.activeElement?.closest("#members") !== null)).toBe(true);
    await ada.page.keyboard.press("Escape");
    await poll(() => ada.page.evaluate(() => document.activeElement?.id)).toBe("toggle-members");
    expect(await ada.page.locator("#toggle-members").getAttribute("aria-expanded")).toBe("false");

    // The list itself is not a live region; a new message is announced through one of its own.
    expect(await ada.page.locator("#messages").getAttribute("aria-live")).toBeNull();
    await say(bob, "anyone for lunch?");
    await poll(() => ada.page.locator("#announcer").textContent()).toBe("Bob: anyone for lunch?");
    await say(ada, "me!");
    await poll(() => shownMessages(bob)).toEqual(["anyone for lunch?", "me!"]);
    expect(await ada.page.locator("#announcer").textContent()).toBe("Bob: anyone for lunch?");
  });
});
