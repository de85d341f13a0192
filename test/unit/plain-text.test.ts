import { describe, expect, it } from "vitest";
import { plainText, quoteOf } from "../../src/protocol";

describe("a message as one plain line", () => {
  it("takes out the marks people type, keeping their words", () => {
    expect(plainText("**bold** _italic_ ~~struck~~ `code` *also*")).toBe("bold italic struck code also");
    expect(plainText("see [the docs](https://example.com/docs) ![pic](https://example.com/p.png)")).toBe("see the docs pic");
    expect(plainText("> quoted\n- one\n- two\n1. first")).toBe("quoted one two first");
    expect(plainText("```js\nconst a = 1;\n```")).toBe("const a = 1;");
  });

  it("leaves what only looks like a mark: snake_case, a lone star, 2 * 3 * 4", () => {
    expect(plainText("rename my_var_name please")).toBe("rename my_var_name please");
    expect(plainText("rated 5* by all")).toBe("rated 5* by all");
    expect(plainText("2 * 3 * 4 = 24")).toBe("2 * 3 * 4 = 24");
  });

  it("is what a reply quotes", () => {
    expect(quoteOf({ seq: 3, from: { id: "g_a", name: "Ada" }, text: "**ship it**" })).toMatchObject({ text: "ship it" });
  });
});
