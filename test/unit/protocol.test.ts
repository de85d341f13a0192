import { describe, expect, it } from "vitest";
import {
  checkDisplayName,
  checkOutgoingMessage,
  checkRoomId,
  LIMITS,
  parseClientFrame,
  parseSeq,
  parseServerFrame,
  parseServerFrames,
} from "../../src/protocol";

describe("display names", () => {
  it("are trimmed", () => {
    expect(checkDisplayName("  Grace Hopper ")).toEqual({ ok: true, value: "Grace Hopper" });
  });

  it("may be 32 characters of any script, counted as characters rather than UTF-16 units", () => {
    expect(checkDisplayName("語".repeat(32)).ok).toBe(true);
    expect(checkDisplayName("👩‍💻".repeat(8)).ok).toBe(true);
    expect(checkDisplayName("語".repeat(33)).ok).toBe(false);
  });

  it.each([["\u0000"], ["tab\there"], ["line\u2028separator"], ["\ud83d"]])("refuse %j", (name) => {
    expect(checkDisplayName(name).ok).toBe(false);
  });
  it.each([
    ["a zero-width space", "Ada\u200b"],
    ["a right-to-left override", "\u202eAda"],
    ["a left-to-right isolate", "\u2066Ada\u2069"],
    ["a soft hyphen", "A\u00adda"],
    ["a zero-width joiner between letters", "A\u200dda"],
    ["only invisible characters", "\u200b\u2800\u3164"],
  ])("refuse a look-alike: %s", (_, name) => {
    const checked = checkDisplayName(name);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? "" : checked.message).toMatch(/invisible|direction|empty/);
  });

  it("keep the joiners that make emoji sequences, and letters of every script", () => {
    expect(checkDisplayName("👨‍👩‍👧 family").ok).toBe(true);
    expect(checkDisplayName("Ad\u0430").ok).toBe(true); // Cyrillic а: told apart in the page, not refused
  });
});

describe("message text", () => {
  it.each([["\u200b\u200b"], ["\u2060 \u00ad"], ["\u3164"], [" \n\t"]])("made only of invisible characters (%j) counts as blank", (text) => {
    const checked = checkOutgoingMessage({ id: "m1", text });
    expect(checked).toMatchObject({ ok: false, code: "bad_message", message: expect.stringContaining("empty") });
  });

  it("may still carry an invisible character amid visible ones", () => {
    expect(checkOutgoingMessage({ id: "m1", text: "soft\u00adhyphen" }).ok).toBe(true);
  });
});

describe("room ids", () => {
  it("allow letters, digits, '_' and '-' up to 64 characters", () => {
    expect(checkRoomId("Team_chat-2").ok).toBe(true);
    expect(checkRoomId("x".repeat(64)).ok).toBe(true);
    expect(checkRoomId("x".repeat(65)).ok).toBe(false);
    expect(checkRoomId("").ok).toBe(false);
    expect(checkRoomId("über").ok).toBe(false);
    expect(checkRoomId("../etc").ok).toBe(false);
  });
});

describe("outgoing messages", () => {
  it("keep only id, text and to", () => {
    expect(checkOutgoingMessage({ id: "m1", text: "hi", to: "g_bob", extra: true })).toEqual({
      ok: true,
      value: { id: "m1", text: "hi", to: "g_bob" },
    });
  });

  it("allow line breaks and tabs in text", () => {
    expect(checkOutgoingMessage({ id: "m1", text: "line 1\n\tline 2\r\n" }).ok).toBe(true);
  });

  it("name the message in an error about its text, so the sender can mark it failed", () => {
    expect(checkOutgoingMessage({ id: "m9", text: "" })).toMatchObject({ ok: false, id: "m9" });
  });

  it("refuse text of 4001 characters as too large", () => {
    expect(checkOutgoingMessage({ id: "m1", text: "a".repeat(LIMITS.maxTextChars + 1) })).toMatchObject({ code: "too_large" });
  });
});

describe("client frames", () => {
  it("parse send, typing and who", () => {
    expect(parseClientFrame('{"type":"typing"}')).toEqual({ ok: true, value: { type: "typing" } });
    expect(parseClientFrame('{"type":"who"}')).toEqual({ ok: true, value: { type: "who" } });
    expect(parseClientFrame('{"type":"send","id":"a","text":"b"}')).toEqual({
      ok: true,
      value: { type: "send", id: "a", text: "b" },
    });
  });

  it("never throw, whatever arrives", () => {
    for (const frame of ["", "null", "true", '"str"', "{}", '{"type":null}', "[".repeat(10_000), '{"type":"send","id":{}}']) {
      expect(parseClientFrame(frame).ok).toBe(false);
    }
  });

  it("measure the frame limit in UTF-8 bytes", () => {
    const text = "€".repeat(2000); // 6000 bytes of text in a 6 KB frame
    expect(parseClientFrame(JSON.stringify({ type: "send", id: "a", text })).ok).toBe(true);
    const padded = JSON.stringify({ type: "send", id: "a", text: "x", pad: "€".repeat(6000) });
    expect(parseClientFrame(padded)).toMatchObject({ ok: false, code: "too_large" });
  });
});

describe("server frames", () => {
  it("are parsed when well formed and skipped otherwise", () => {
    const message = { type: "message", seq: 1, id: "a", from: { id: "u", name: "U" }, text: "t", ts: 1 };
    expect(parseServerFrame(JSON.stringify(message))).toEqual(message);
    expect(parseServerFrame(JSON.stringify({ ...message, seq: "1" }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ type: "from-the-future" }))).toBeNull();
    expect(parseServerFrame("pong")).toBeNull();
  });

  it.each([
    ["one frame", (m: object) => m, 1],
    ["a batch, in order", (m: object) => ({ type: "batch", frames: [m, { ...m, seq: 2 }] }), 2],
    ["a batch, unknown frames in it left out", (m: object) => ({ type: "batch", frames: [{ type: "from-the-future" }, m, 7] }), 1],
    ["a batch inside a batch, refused", (m: object) => ({ type: "batch", frames: [{ type: "batch", frames: [m] }] }), 0],
    ["a batch without frames", () => ({ type: "batch" }), 0],
    ["an unknown frame", () => ({ type: "from-the-future" }), 0],
  ])("come out of a WebSocket message as a list: %s", (_, shape, count) => {
    const message = { type: "message", seq: 1, id: "a", from: { id: "u", name: "U" }, text: "t", ts: 1 };
    const frames = parseServerFrames(JSON.stringify(shape(message)));
    expect(frames).toHaveLength(count);
    if (count > 0) expect(frames[0]).toEqual(message);
    if (count === 2) expect(frames[1]).toEqual({ ...message, seq: 2 });
  });
});

describe("sequence numbers in queries", () => {
  it("are non-negative whole numbers or absent", () => {
    expect(parseSeq("42")).toEqual({ ok: true, value: 42 });
    expect(parseSeq(undefined)).toEqual({ ok: true, value: undefined });
    for (const bad of ["-1", "1.5", "1e3", "abc", "9".repeat(16)]) expect(parseSeq(bad).ok).toBe(false);
  });
});
