import { describe, expect, it } from "vitest";
import { pairsOf, withCjkPairs } from "../../src/room/search/cjk-bigrams";
import { toMatchQuery } from "../../src/room/search/search-query";

describe("the index's text", () => {
  it("keeps a run of Chinese or Japanese as its overlapping pairs, and other words as they are", () => {
    expect(pairsOf("开会")).toEqual(["开会"]);
    expect(pairsOf("明天开会")).toEqual(["明天", "天开", "开会"]);
    expect(pairsOf("会")).toEqual(["会"]);
    expect(withCjkPairs("budget 预算会议 ok").split(/\s+/).filter(Boolean)).toEqual(["budget", "预算", "算会", "会议", "ok"]);
    expect(withCjkPairs("カタカナ")).toContain("タカ");
  });
});

describe("a typed search as an FTS5 query", () => {
  it("quotes every word, so nothing typed is read as the index's syntax, and asks for all of them", () => {
    expect(toMatchQuery("design review", 10)).toBe('"design" AND "review"');
    expect(toMatchQuery('NEAR( "OR" -x col:y', 10)).toBe('"NEAR" AND "OR" AND "x" AND "col y"');
  });

  it("takes a trailing * as a prefix, quotes as a phrase, and a lone CJK character as the pairs it begins", () => {
    expect(toMatchQuery("desig*", 10)).toBe('"desig"*');
    expect(toMatchQuery('"design review" friday', 10)).toBe('"design review" AND "friday"');
    expect(toMatchQuery("明天开会", 10)).toBe('"明天 天开 开会"');
    expect(toMatchQuery("会", 10)).toBe('"会"*');
  });

  it("keeps at most the given number of words, and gives nothing for nothing searchable", () => {
    expect(toMatchQuery("a b c d", 2)).toBe('"a" AND "b"');
    expect(toMatchQuery(" ?! -- ", 10)).toBeUndefined();
  });
});
