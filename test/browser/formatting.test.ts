import { describe, expect, it } from "vitest";
import { shownMessages, useBrowserChat } from "../support/browser";

const { chat, person } = useBrowserChat();
const poll = (fn: () => Promise<unknown>) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** The classic ways to get markup or script into a page, each of which must come out as text. */
const ATTACKS = [
  '<img src=x onerror="window.__attacked = 1">',
  "<script>window.__attacked = 2</script>",
  "[click me](javascript:window.__attacked=3)",
  "![pic](javascript:window.__attacked=4)",
  "```\n<img src=x onerror=\"window.__attacked = 5\">\n```",
  "`<b onmouseover=\"window.__attacked = 6\">hover</b>`",
  '<a href="javascript:window.__attacked=7">plain html link</a>',
];

describe("a formatted message", () => {
  it("shows bold, italic, struck, code, a code block with Copy, a quote, lists, links and line breaks, and every attack as text", async () => {
    const ada = await person();
    await ada.page.goto(chat().base);
    await ada.page.fill("#name", "Ada");
    await ada.page.click("#sign-in button[type=submit]");
    await ada.page.locator("#signed-in").waitFor();
    const texts = [
      "**bold** _italic_ ~~struck~~ `inline code`",
      "```\nconst total = a < b ? a : b;\n```",
      "> quoted words",
      "- one\n- two\n\n1. first\n2. second",
      "line one\nline two",
      "see [the docs](https://example.com/docs) or https://example.org/page",
      ...ATTACKS,
    ];
    const room = await ada.page.evaluate(async (texts) => {
      const { token } = JSON.parse(localStorage.getItem("edge-chat:session")!) as { token: string };
      const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
      const created = (await (await fetch("/api/rooms", { method: "POST", headers, body: JSON.stringify({ visibility: "public" }) })).json()) as { room: { id: string } };
      for (const [n, text] of texts.entries()) await fetch(`/api/rooms/${created.room.id}/messages`, { method: "POST", headers, body: JSON.stringify({ id: `m${n}`, text }) });
      return created.room.id;
    }, texts);
    await ada.page.goto(`${chat().base}/r/${room}`);
    await poll(async () => (await shownMessages(ada)).length).toBe(texts.length);
    const body = (n: number) => ada.page.locator("#messages .message .text").nth(n);

    expect(await body(0).locator("strong").textContent()).toBe("bold");
    expect(await body(0).locator("em").textContent()).toBe("italic");
    expect(await body(0).locator("s").textContent()).toBe("struck");
    expect(await body(0).locator("code").textContent()).toBe("inline code");
    expect(await body(1).locator("pre code").textContent()).toBe("const total = a < b ? a : b;");
    expect(await body(1).locator("button.copy-code").textContent()).toBe("Copy");
    expect(await body(2).locator("blockquote").textContent()).toBe("quoted words");
    expect(await body(3).locator("ul li").allTextContents()).toEqual(["one", "two"]);
    expect(await body(3).locator("ol li").allTextContents()).toEqual(["first", "second"]);
    expect(await body(4).locator("br").count()).toBe(1);
    const links = body(5).locator("a");
    expect(await links.evaluateAll((anchors) => anchors.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("target"), a.getAttribute("rel")]))).toEqual([
      ["the docs", "https://example.com/docs", "_blank", "noopener noreferrer"],
      ["https://example.org/page", "https://example.org/page", "_blank", "noopener noreferrer"],
    ]);

    // Every attack is on the page as the text that was typed, and nothing of it ran.
    const list = ada.page.locator("#messages");
    expect(await list.locator("img, script, [onerror], [onmouseover], a[href^='javascript']").count()).toBe(0);
    for (const [n, attack] of ATTACKS.entries()) {
      const shown = (await body(6 + n).textContent()) ?? "";
      const typed = attack.replace(/```\n?/g, "").replace(/`/g, "").trim();
      expect(shown.replace(/Copy$/, "").trim(), attack).toBe(typed);
    }
    await ada.page.hover("#messages .message:last-child");
    expect(await ada.page.evaluate(() => (window as { __attacked?: number }).__attacked)).toBeUndefined();
    expect(ada.errors).toEqual([]);
  });
});
