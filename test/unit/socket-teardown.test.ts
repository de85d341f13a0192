import { describe, expect, it } from "vitest";
import { isBenignTeardownError, replyCloseCode } from "../../src/shared/socket-teardown";

describe("answering a peer's close", () => {
  it.each([
    [1000, 1000],
    [1001, 1001],
    [4000, 4000],
    [1005, 1000],
    [1006, undefined],
    [1015, undefined],
  ])("close %i is answered with %s", (code, reply) => {
    expect(replyCloseCode(code)).toBe(reply);
  });
});

describe("errors as a socket goes away", () => {
  const OPEN = 1;
  const CLOSING = 2;
  const CLOSED = 3;
  it.each([
    ["a retryable error on a closing socket", CLOSING, Object.assign(new Error("boom"), { retryable: true }), true],
    ["a lost connection on a closed socket", CLOSED, new Error("Network connection lost."), true],
    ["a peer that disconnected, in older wording", CLOSING, new Error("WebSocket peer disconnected"), true],
    ["the same lost connection while open", OPEN, new Error("Network connection lost."), false],
    ["a retryable error while open", OPEN, Object.assign(new Error("x"), { retryable: true }), false],
    ["some other error on a closed socket", CLOSED, new Error("internal error"), false],
    ["a thrown string on a closed socket", CLOSED, "Network connection lost", false],
    ["nothing at all", CLOSED, null, false],
  ])("%s is benign: %s", (_, readyState, error, benign) => {
    expect(isBenignTeardownError({ readyState }, error)).toBe(benign);
  });
});
