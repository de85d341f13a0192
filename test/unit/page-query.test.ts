import { describe, expect, it } from "vitest";
import { checkPageQuery, checkSeqQuery, PAGES } from "../../src/protocol";

describe("a listing's page query", () => {
  it("takes each listing's default limit when none is asked", () => {
    expect(checkPageQuery({}, PAGES.messages)).toEqual({ ok: true, value: { limit: 50 } });
    expect(checkPageQuery({}, PAGES.invites)).toEqual({ ok: true, value: { limit: 100 } });
    expect(checkPageQuery({}, PAGES.moderation)).toEqual({ ok: true, value: { limit: 100 } });
  });

  it.each([
    ["messages", 500, PAGES.messages],
    ["invites", 100, PAGES.invites],
    ["moderation", 500, PAGES.moderation],
  ])("keeps the %s limit between 1 and %i", (_, max, bounds) => {
    expect(checkPageQuery({ limit: String(max) }, bounds)).toEqual({ ok: true, value: { limit: max } });
    expect(checkPageQuery({ limit: "1" }, bounds)).toEqual({ ok: true, value: { limit: 1 } });
    for (const limit of ["0", String(max + 1)]) {
      expect(checkPageQuery({ limit }, bounds)).toEqual({ ok: false, status: 400, code: "bad_message", message: `limit: must be between 1 and ${max}` });
    }
  });

  it("reads the cursors its listing takes, and only those", () => {
    expect(checkPageQuery({ limit: "20", after: "7", before: "90" }, PAGES.messages)).toEqual({ ok: true, value: { limit: 20, after: 7, before: 90 } });
    expect(checkPageQuery({ after: "7", before: "90" }, PAGES.invites)).toEqual({ ok: true, value: { limit: 100, before: 90 } });
    expect(checkPageQuery({ after: "not read" }, PAGES.moderation)).toEqual({ ok: true, value: { limit: 100 } });
  });

  it("treats an empty value as none", () => {
    expect(checkPageQuery({ limit: "", before: "" }, PAGES.invites)).toEqual({ ok: true, value: { limit: 100 } });
  });

  it.each([
    ["limit", "ten"],
    ["limit", "-1"],
    ["before", "1.5"],
    ["after", "1e3"],
  ])("refuses %s=%s, naming it", (name, raw) => {
    expect(checkPageQuery({ [name]: raw }, PAGES.messages)).toEqual({
      ok: false,
      status: 400,
      code: "bad_message",
      message: `${name}: sequence numbers are non-negative whole numbers`,
    });
  });
});

describe("a whole number in the query", () => {
  it("is read, or absent", () => {
    expect(checkSeqQuery({ wait: "25" }, "wait")).toEqual({ ok: true, value: 25 });
    expect(checkSeqQuery({}, "wait")).toEqual({ ok: true, value: undefined });
    expect(checkSeqQuery({ wait: "soon" }, "wait")).toMatchObject({ ok: false, message: "wait: sequence numbers are non-negative whole numbers" });
  });
});
