import { describe, expect, it } from "vitest";
import { say, shownMessages, signInAndJoin, useBrowserChat, type Person } from "../support/browser";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

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
