import { describe, expect, it } from "vitest";
import { say, shownMessages, useBrowserChat, type Person } from "../support/browser";

const { chat, person } = useBrowserChat();
async function signInAt(p: Person, name: string): Promise<void> {
  await p.page.fill("#name", name);
  await p.page.click("#sign-in button[type=submit]");
}

const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

describe("a private room", () => {
  it("is entered by following its invite link, signing in on the way, and by no one else", async () => {
    const [alice, bob, eve] = [await person(), await person(), await person()];

    await alice.page.goto(chat().base);
    await signInAt(alice, "Alice");
    await alice.page.fill("#title", "Secret plans");
    await alice.page.click("#create button[type=submit]");
    await alice.page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}$/);
    const roomUrl = alice.page.url();
    await poll(() => alice.page.locator("#room-name").textContent()).toBe("Secret plans");
    await expect(alice.page.locator("#visibility").textContent()).resolves.toBe("private");

    await alice.page.click("#invite");
    await poll(() => alice.page.locator("#invite-link").inputValue()).toMatch(/#invite=/);
    const link = await alice.page.locator("#invite-link").inputValue();
    expect(link.startsWith(`${roomUrl}#invite=`)).toBe(true);

    await bob.page.goto(link);
    await bob.page.waitForURL(/\/\?next=/);
    await signInAt(bob, "Bob");
    await bob.page.waitForURL(roomUrl);
    await poll(() => bob.page.locator("#room-name").textContent()).toBe("Secret plans");
    expect(bob.page.url()).not.toContain("invite=");

    // Neither the session token nor the invite travels in any URL the browser requested.
    const [aliceToken, bobToken] = await Promise.all([alice, bob].map((p) => p.page.evaluate(() => JSON.parse(localStorage.getItem("edge-chat:session")!).token as string)));
    const inviteToken = link.split("#invite=")[1]!;
    for (const p of [alice, bob]) {
      const sent = p.urls.map((url) => url.split("#")[0]!);
      expect(sent.some((url) => url.includes("/api/rooms/") && url.includes("/ws"))).toBe(true);
      for (const url of sent) {
        for (const secret of [aliceToken, bobToken, inviteToken]) expect(url).not.toContain(secret);
        expect(url).not.toMatch(/[?&](token|invite)=/);
      }
    }

    await say(bob, "Thanks for inviting me");
    await poll(() => shownMessages(alice)).toEqual(["Thanks for inviting me"]);
    await say(alice, "Welcome, Bob");
    await poll(() => shownMessages(bob)).toEqual(["Thanks for inviting me", "Welcome, Bob"]);

    await eve.page.goto(roomUrl);
    await eve.page.waitForURL(/\/\?next=/);
    await signInAt(eve, "Eve");
    await eve.page.waitForURL(roomUrl);
    await poll(() => eve.page.locator("#status").textContent()).toContain("You cannot enter this room");
    expect(await shownMessages(eve)).toEqual([]);
    expect(await eve.page.locator("#member-list li").count()).toBe(0);
  });

  it("tells the holder of a revoked invite why they cannot enter", async () => {
    const alice = await person();
    const owner = await chat().signIn("Owner");
    const created = await chat().api<{ room: { id: string }; invite: { id: string; url: string } }>(owner.token, "/api/rooms", {
      method: "POST",
      body: JSON.stringify({ visibility: "private" }),
    });
    const { room, invite } = created.body;
    await chat().api(owner.token, `/api/rooms/${room.id}/invites/${invite.id}`, { method: "DELETE" });
    const link = invite.url.replace(/^https?:\/\/[^/]+/, chat().base);

    await alice.page.goto(link);
    await signInAt(alice, "Alice");
    await poll(() => alice.page.locator("#status").textContent()).toContain("revoked");
  });
});
