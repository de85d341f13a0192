import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiErrorBody, MessagesPage, SessionResponse } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";

const LIMITS = { GUEST_SIGNINS_PER_IP: 6, NEW_MEMBER_MESSAGES: 5, NEW_MEMBER_SECONDS: 2 };
let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start(Object.fromEntries(Object.entries(LIMITS).map(([name, value]) => [name, String(value)])));
});

afterAll(() => chat.stop());

function post(session: SessionResponse, room: string, id: string) {
  return chat.api<ApiErrorBody>(session.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id, text: `hello ${id}` }) });
}

describe("guests", () => {
  it("are minted a few per client address, then refused with 429 and Retry-After, while fresh guests share one budget in a room", async () => {
    const room = uniqueRoom("newcomers");
    const regular = await chat.signIn("Regular");
    expect((await post(regular, room, "first")).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, LIMITS.NEW_MEMBER_SECONDS * 1000 + 100));

    const crowd = await Promise.all(Array.from({ length: LIMITS.GUEST_SIGNINS_PER_IP - 1 }, (_, i) => chat.signIn(`Fresh ${i}`)));
    const refused = await fetch(`${chat.base}/api/session`, { method: "POST", body: JSON.stringify({ name: "One too many" }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({ code: "rate_limited", message: expect.stringContaining("sign-ins") });

    // Five fresh guests, each well within their own limit, three messages each. The room takes
    // five newcomers' messages per window in all, and the regular's first, sent while new, was one.
    const budget = LIMITS.NEW_MEMBER_MESSAGES - 1;
    const answers = await Promise.all(crowd.flatMap((guest, g) => [0, 1, 2].map((n) => post(guest, room, `g${g}-${n}`))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(budget);
    expect(statuses.filter((s) => s === 429)).toHaveLength(crowd.length * 3 - budget);
    const refusal = answers.find((a) => a.status === 429)!.body.error;
    expect(refusal).toMatchObject({ code: "rate_limited", message: expect.stringContaining("new members share"), retryAfterMs: expect.any(Number) });

    // A member who has been here longer is not held back by the crowd.
    expect((await post(regular, room, "still-here")).status).toBe(201);
    const page = await chat.api<MessagesPage>(regular.token, `/api/rooms/${room}/messages?limit=50`);
    expect(page.body.messages).toHaveLength(1 + budget + 1);
  });
});
