import { describe, expect, it } from "vitest";
import { say, shownMessages, signInAndJoin, useBrowserChat, type Person } from "../support/browser";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** Signs `p` in as `name` and creates a public room with this title; its id. */
async function createPublicRoom(p: Person, name: string, title: string): Promise<string> {
  await p.page.goto(chat().base);
  await p.page.fill("#name", name);
  await p.page.click("#sign-in button[type=submit]");
  await p.page.fill("#title", title);
  await p.page.uncheck("#private");
  await p.page.click("#create button[type=submit]");
  await p.page.waitForURL(/\/r\//);
  return new URL(p.page.url()).pathname.slice(3);
}

function message(p: Person, text: string) {
  return p.page.locator("#messages .message", { has: p.page.locator(".text", { hasText: text }) });
}

describe("acting on messages", () => {
  it("replies with a quote, reactions toggled by two people, an edit and a delete, all seen live by the other", async () => {
    const [ada, bob] = [await person(), await person()];
    await signInAndJoin(ada, chat().base, "Ada", "actions");
    await signInAndJoin(bob, chat().base, "Bob", "actions");
    await say(ada, "Who has the slides?");
    await poll(() => shownMessages(bob)).toEqual(["Who has the slides?"]);

    // Bob replies to it.
    await message(bob, "Who has the slides?").hover();
    await message(bob, "Who has the slides?").locator("[data-action=reply]").click();
    await poll(() => bob.page.locator("#compose-mode-text").textContent()).toBe("Replying to Ada: Who has the slides?");
    await say(bob, "I do");
    await poll(() => message(ada, "I do").locator(".quote").textContent()).toBe("Ada: Who has the slides?");

    // Both react with 👍; Ada takes hers back.
    for (const p of [ada, bob]) {
      await message(p, "Who has the slides?").hover();
      await message(p, "Who has the slides?").locator("[data-action=react]").click();
      await message(p, "Who has the slides?").locator(".reaction-picker [data-react='👍']").click();
    }
    await poll(() => message(ada, "Who has the slides?").locator(".reaction").textContent()).toBe("👍 2");
    await expect(message(ada, "Who has the slides?").locator(".reaction").getAttribute("aria-pressed")).resolves.toBe("true");
    await message(ada, "Who has the slides?").locator(".reaction").click();
    await poll(() => message(bob, "Who has the slides?").locator(".reaction").textContent()).toBe("👍 1");
    await poll(() => message(ada, "Who has the slides?").locator(".reaction").getAttribute("aria-pressed")).toBe("false");

    // Ada edits her message with the Up arrow; Bob sees it, and the quote of it, change.
    await ada.page.click("#text");
    await ada.page.press("#text", "ArrowUp");
    await poll(() => ada.page.locator("#text").inputValue()).toBe("Who has the slides?");
    await ada.page.fill("#text", "Who has the slides for Friday?");
    await ada.page.press("#text", "Enter");
    await poll(() => shownMessages(bob)).toEqual(["Who has the slides for Friday?", "I do"]);
    await expect(message(bob, "Friday").locator(".edited").textContent()).resolves.toBe("edited");
    await poll(() => message(bob, "I do").locator(".quote").textContent()).toBe("Ada: Who has the slides for Friday?");

    // Bob deletes his reply, asked once more on the same button.
    await message(bob, "I do").hover();
    await message(bob, "I do").locator("[data-action=delete]").click();
    await expect(message(bob, "I do").locator("[data-action=delete]").textContent()).resolves.toBe("Delete for everyone?");
    await message(bob, "I do").locator("[data-action=delete]").click();
    await poll(() => shownMessages(ada)).toEqual(["Who has the slides for Friday?", "message deleted"]);
    await poll(() => shownMessages(bob)).toEqual(["Who has the slides for Friday?", "message deleted"]);

    // A new page sees the same: history carries each message as it reads now.
    await bob.page.reload();
    await poll(() => shownMessages(bob)).toEqual(["Who has the slides for Friday?", "message deleted"]);
    await expect(message(bob, "Friday").locator(".reaction").textContent()).resolves.toBe("👍 1");
  });
});

describe("moderation from the member list", () => {
  it("lets the owner make a moderator, who mutes someone: their composer then says so", async () => {
    const [ada, bob, cy] = [await person(), await person(), await person()];
    const room = await createPublicRoom(ada, "Ada", "Town hall");
    await signInAndJoin(bob, chat().base, "Bob", room);
    await signInAndJoin(cy, chat().base, "Cy", room);

    const row = (p: Person, name: string) => p.page.locator("#member-list li", { hasText: name });
    await poll(() => row(ada, "Bob").locator("select.moderate").count()).toBe(1);
    await row(ada, "Bob").locator("select.moderate").selectOption("moderator");
    await poll(() => row(ada, "Bob").locator(".owner-badge").textContent()).toBe("moderator");

    // Bob learns his role when he next connects, as the page does on load.
    await bob.page.reload();
    await poll(() => row(bob, "Cy").locator("select.moderate").count()).toBe(1);
    await expect(row(bob, "Ada").locator("select.moderate").count()).resolves.toBe(0);
    await row(bob, "Cy").locator("select.moderate").selectOption("mute");

    await poll(() => cy.page.locator("#muted-notice").textContent()).toMatch(/^You are muted in this room until \d\d:\d\d( [AP]M)?\. You can still read\.$/);
    await expect(cy.page.locator("#composer").isHidden()).resolves.toBe(true);
    await say(ada, "Cy can still read this");
    await poll(() => shownMessages(cy)).toEqual(["Cy can still read this"]);
  });
});

describe("deleting someone else's message", () => {
  it("is offered to owners and moderators on every message, and to a member on their own only", async () => {
    const [ada, bob, cy] = [await person(), await person(), await person({ withoutWebSocket: true })];
    const room = await createPublicRoom(ada, "Ada", "Clean room");
    await signInAndJoin(bob, chat().base, "Bob", room);
    await signInAndJoin(cy, chat().base, "Cy", room);

    await say(ada, "Welcome, everyone");
    await say(bob, "Cheap watches here");
    await poll(() => shownMessages(bob)).toEqual(["Welcome, everyone", "Cheap watches here"]);
    const deleteOn = (p: Person, text: string) => message(p, text).locator("[data-action=delete]");

    // Bob, a member, may delete his own message but not Ada's.
    await expect(deleteOn(bob, "Cheap watches here").count()).resolves.toBe(1);
    await expect(deleteOn(bob, "Welcome, everyone").count()).resolves.toBe(0);

    // Ada, the owner, deletes Bob's; he and Cy see it gone.
    await poll(() => shownMessages(ada)).toEqual(["Welcome, everyone", "Cheap watches here"]);
    await message(ada, "Cheap watches here").hover();
    await deleteOn(ada, "Cheap watches here").click();
    await deleteOn(ada, "Cheap watches here").click();
    await poll(() => shownMessages(bob)).toEqual(["Welcome, everyone", "message deleted"]);
    await poll(() => shownMessages(cy)).toEqual(["Welcome, everyone", "message deleted"]);

    // Cy, on HTTP, is made a moderator: once his page hears of it, he may delete even the owner's message.
    await expect(deleteOn(cy, "Welcome, everyone").count()).resolves.toBe(0);
    const row = (p: Person, name: string) => p.page.locator("#member-list li", { hasText: name });
    // A member on HTTP is announced by no presence frame: Ada's list shows Cy once it is read again.
    await ada.page.reload();
    await row(ada, "Cy").locator("select.moderate").selectOption("moderator");
    await poll(() => row(ada, "Cy").locator(".owner-badge").textContent()).toBe("moderator");
    await cy.page.reload();
    await poll(() => cy.page.locator("#status").getAttribute("data-transport")).toBe("http");
    await poll(() => deleteOn(cy, "Welcome, everyone").count()).toBe(1);
  });
});
