import { describe, expect, it } from "vitest";
import { say, shownMessages, signInAndJoin, useBrowserChat, type Person } from "../support/browser";
import { E2E_JWT_SECRET } from "../support/local-chat";
import { forgeSessionToken } from "../support/tokens";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

async function signInAt(p: Person, name: string): Promise<void> {
  await p.page.fill("#name", name);
  await p.page.click("#sign-in button[type=submit]");
}

function entry(p: Person, title: string) {
  return p.page.locator(".room-entry", { hasText: title });
}

describe("the home page", () => {
  it("finds the room a person made, and counts another's unread messages live until they open it", async () => {
    const [ada, bob] = [await person(), await person()];
    await ada.page.goto(chat().base);
    await signInAt(ada, "Ada");
    await poll(() => ada.page.locator("#no-rooms").isVisible()).toBe(true);
    await ada.page.fill("#title", "Design review");
    await ada.page.click("#create button[type=submit]");
    await ada.page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}$/);
    const roomUrl = ada.page.url();
    await ada.page.click("#invite");
    await poll(() => ada.page.locator("#invite-link").inputValue()).toMatch(/#invite=/);
    const link = await ada.page.locator("#invite-link").inputValue();

    // Going home: the private room, whose id nobody could remember, is there.
    await ada.page.click("a.home");
    await poll(() => entry(ada, "Design review").getAttribute("href")).toBe(new URL(roomUrl).pathname);
    await expect(entry(ada, "Design review").locator(".badge").textContent()).resolves.toBe("private");

    await bob.page.goto(link);
    await signInAt(bob, "Bob");
    await bob.page.waitForURL(roomUrl);
    await poll(() => bob.page.locator("#room-name").textContent()).toBe("Design review");
    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "Design review").count()).toBe(1);
    await expect(entry(bob, "Design review").locator(".count").count()).resolves.toBe(0);

    // Ada writes from her room page; Bob, sitting on his home page, sees the badge count up.
    await ada.page.goto(roomUrl);
    await say(ada, "first draft is up");
    await poll(() => entry(bob, "Design review").locator(".count.unread").textContent()).toBe("1");
    await say(ada, "comments by Friday please");
    await poll(() => entry(bob, "Design review").locator(".count.unread").textContent()).toBe("2");
    await poll(() => entry(bob, "Design review").locator(".last").textContent()).toBe("Ada: comments by Friday please");

    // Opening the room reads it; back home the badge is gone.
    await entry(bob, "Design review").click();
    await bob.page.waitForURL(roomUrl);
    await poll(() => shownMessages(bob)).toEqual(["first draft is up", "comments by Friday please"]);
    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "Design review").count()).toBe(1);
    await poll(() => entry(bob, "Design review").locator(".count").count()).toBe(0);
  });
});

/** Calls the API as the person signed in on this page, with the token the page keeps. */
function apiAs(p: Person, method: string, path: string, body?: unknown): Promise<number> {
  return p.page.evaluate(
    async ({ method, path, body }) => {
      const { token } = JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string };
      const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
      return (await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })).status;
    },
    { method, path, body },
  );
}

describe("the home page's own actions", () => {
  it("leave a room and block a person, after asking, and unblock them from the list of blocked people", async () => {
    const [ada, bob] = [await person(), await person()];
    const room = `corner-${Date.now()}`;
    await signInAndJoin(ada, chat().base, "Ada", room);
    await signInAndJoin(bob, chat().base, "Bob", room);
    const bobId = await bob.page.evaluate(() => (JSON.parse(localStorage.getItem("edge-chat:session")!) as { user: { id: string } }).user.id);
    const adaId = await ada.page.evaluate(() => (JSON.parse(localStorage.getItem("edge-chat:session")!) as { user: { id: string } }).user.id);
    expect(await apiAs(ada, "POST", "/api/dm", { user: bobId })).toBe(200);

    await ada.page.goto(chat().base);
    await poll(() => entry(ada, `#${room}`).count()).toBe(1);
    await poll(() => entry(ada, "Bob").count()).toBe(1);
    // Asked, and answered no: nothing changes.
    await ada.page.click(`button[aria-label="Leave #${room}"]`);
    expect(ada.dialogs).toEqual([`Leave #${room}?`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await entry(ada, `#${room}`).count()).toBe(1);

    ada.answer = "accept";
    await ada.page.click(`button[aria-label="Leave #${room}"]`);
    await poll(() => entry(ada, `#${room}`).count()).toBe(0);
    expect(ada.dialogs.at(-1)).toBe(`Leave #${room}?`);

    await ada.page.click('button[aria-label="Block Bob"]');
    await poll(() => entry(ada, "Bob").count()).toBe(0);
    expect(ada.dialogs.at(-1)).toMatch(/^Block Bob\? They can no longer write to you directly/);
    expect(await apiAs(bob, "POST", "/api/dm", { user: adaId })).toBe(403);

    await ada.page.click("#conversation-settings summary");
    await poll(() => ada.page.locator("#blocked-list li").allTextContents()).toEqual(["Bob Unblock"]);
    await ada.page.click('button[aria-label="Unblock Bob"]');
    await poll(() => ada.page.locator("#no-blocked").isVisible()).toBe(true);
    expect(await apiAs(bob, "POST", "/api/dm", { user: adaId })).toBe(200);
  });
});

describe("a session near its expiry", () => {
  it("is renewed by the page without the person noticing, keeping their id", async () => {
    const ada = await person();
    await ada.page.goto(chat().base);
    await signInAt(ada, "Ada");
    await poll(() => ada.page.locator("#signed-in").isVisible()).toBe(true);
    const session = await ada.page.evaluate(() => JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string; user: { id: string } });
    // Six of its seven days gone: past half its lifetime.
    const now = Math.floor(Date.now() / 1000);
    const aging = await forgeSessionToken(E2E_JWT_SECRET, { sub: session.user.id, name: "Ada", iat: now - 6 * 86400, exp: now + 86400 });
    await ada.page.evaluate((token) => {
      const stored = JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string; expiresAt: number };
      localStorage.setItem("edge-chat:session", JSON.stringify({ ...stored, token, expiresAt: Date.now() + 86400_000 }));
    }, aging);

    await ada.page.goto(`${chat().base}/r/renewal`);
    const renewed = () => ada.page.evaluate(() => JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string; user: { id: string }; expiresAt: number });
    await poll(async () => (await renewed()).token !== aging).toBe(true);
    expect((await renewed()).user.id).toBe(session.user.id);
    expect((await renewed()).expiresAt).toBeGreaterThan(Date.now() + 6 * 86400_000);
    await say(ada, "still me");
    await poll(() => shownMessages(ada)).toEqual(["still me"]);
    await expect(ada.page.locator("#status").getAttribute("data-state")).resolves.toBe("online");
  });
});

describe("the room header on a 390 px phone", () => {
  it("shows the room's name and every button whole", async () => {
    const ada = await person();
    await ada.page.setViewportSize({ width: 390, height: 844 });
    await ada.page.goto(chat().base);
    await signInAt(ada, "Ada");
    await ada.page.fill("#title", "Quarterly planning review");
    await ada.page.click("#create button[type=submit]");
    await ada.page.waitForURL(/\/r\//);
    await poll(() => ada.page.locator("#invite").isVisible()).toBe(true);

    const name = await ada.page.locator("#room-name").boundingBox();
    expect(name!.width).toBeGreaterThan(60);
    for (const selector of ["a.home", "#room-name", "#visibility", "#open-search", "#invite", "#toggle-members"]) {
      const box = await ada.page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.x, selector).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(390);
    }
  });
});

describe("a direct conversation", () => {
  it("starts from the member list and appears in both homes under the other's name", async () => {
    const [ada, bob] = [await person(), await person()];
    await signInAndJoin(ada, chat().base, "Ada", "meeting-point");
    await signInAndJoin(bob, chat().base, "Bob", "meeting-point");
    await poll(() => ada.page.locator("#member-list li", { hasText: "Bob" }).count()).toBe(1);

    await ada.page.locator("#member-list li", { hasText: "Bob" }).locator(".open-direct").click();
    await ada.page.waitForURL(/\/r\/dm-[A-Za-z0-9_-]{22}$/);
    const directUrl = ada.page.url();
    await poll(() => ada.page.locator("#room-name").textContent()).toBe("Bob");
    await expect(ada.page.locator("#invite").isHidden()).resolves.toBe(true);
    await say(ada, "a word in private?");

    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "Ada").locator(".count.unread").textContent()).toBe("1");
    await expect(entry(bob, "Ada").getAttribute("href")).resolves.toBe(new URL(directUrl).pathname);
    await ada.page.goto(chat().base);
    await poll(() => entry(ada, "Bob").locator(".last").textContent()).toBe("Ada: a word in private?");
  });
});

describe("a mention from the composer", () => {
  it("is picked from the members by typing @, and shows on the other's home as a mention badge until read", async () => {
    const [ada, bob] = [await person(), await person()];
    await signInAndJoin(bob, chat().base, "Bob", "standup");
    await signInAndJoin(ada, chat().base, "Ada", "standup");
    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "#standup").count()).toBe(1);

    await ada.page.fill("#text", "");
    await ada.page.locator("#text").pressSequentially("ping @Bo");
    await poll(() => ada.page.locator("#mention-suggestions li").allTextContents()).toEqual(["Bob"]);
    await ada.page.press("#text", "Enter");
    await expect(ada.page.locator("#text").inputValue()).resolves.toBe("ping @Bob ");
    await ada.page.locator("#text").pressSequentially("standup in 5");
    await ada.page.press("#text", "Enter");
    await poll(() => shownMessages(ada)).toEqual(["ping @Bob standup in 5"]);

    await poll(() => entry(bob, "#standup").locator(".count.mentions").textContent()).toBe("@1");
    await entry(bob, "#standup").click();
    await poll(() => bob.page.locator(".message.mentions-you").count()).toBe(1);
    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "#standup").locator(".count").count()).toBe(0);
  });
});

describe("notifications", () => {
  it("are offered with a button, and then shown for a mention while the home page is in the background", async () => {
    const [ada, bob] = [await person(), await person()];
    // Headless Chromium shows no notifications and keeps every page visible: record what the
    // page asks for, and put it in the background.
    await bob.context.addInitScript(() => {
      const shown: { title: string; body?: string }[] = [];
      let permission: NotificationPermission = "default";
      class RecordedNotification {
        static get permission() {
          return permission;
        }
        static async requestPermission() {
          permission = "granted";
          return permission;
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options: NotificationOptions = {}) {
          shown.push({ title, body: options.body });
        }
      }
      Object.assign(window, { Notification: RecordedNotification, shownNotifications: shown });
      Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
    });
    await signInAndJoin(ada, chat().base, "Ada", "release");
    await signInAndJoin(bob, chat().base, "Bob", "release");
    await bob.page.goto(chat().base);
    await poll(() => entry(bob, "#release").count()).toBe(1);
    await bob.page.click("#notify");
    await poll(() => bob.page.locator("#notify").isHidden()).toBe(true);

    await say(ada, "no mention here");
    await poll(() => entry(bob, "#release").locator(".count.unread").textContent()).toBe("1");
    await ada.page.locator("#text").pressSequentially("@Bo");
    await ada.page.press("#text", "Enter");
    await ada.page.locator("#text").pressSequentially("ship it?");
    await ada.page.press("#text", "Enter");

    const shown = () => bob.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications);
    await poll(shown).toEqual([{ title: "Ada in #release", body: "@Bob ship it?" }]);
  });
});
