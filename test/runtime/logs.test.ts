import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, connect, newRoom, newUser } from "./helpers";

afterEach(() => vi.restoreAllMocks());

describe("the logs", () => {
  it("are JSON lines with the event, room and user, and never a token or message text", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
    const room = newRoom("logged");
    const ada = await newUser("Ada");
    const secretText = "my bank PIN is 4321";

    const socket = await connect(room, ada);
    for (let n = 1; n <= 21; n++) socket.send({ type: "send", id: `m${n}`, text: `${secretText} #${n}` });
    await socket.next("error");
    await SELF.fetch("https://chat.test/api/rooms/lobby", { headers: { Authorization: "Bearer forged.token.value" } });
    await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "h1", text: secretText }) });
    await socket.close();
    await expect.poll(() => lines.some((line) => line.includes("room.disconnected"))).toBe(true);

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = entries.map((entry) => entry.event);
    expect(events).toEqual(expect.arrayContaining(["room.rate_limited", "worker.auth_refused", "room.disconnected"]));
    // A connection is one line, at its end, saying how it ended and how long it lasted.
    expect(events).not.toContain("room.connected");
    expect(entries.find((entry) => entry.event === "room.disconnected")).toMatchObject({ code: 1000, seconds: expect.any(Number) });
    for (const entry of entries.filter((e) => String(e.event).startsWith("room."))) {
      expect(entry).toMatchObject({ room, user: ada.id });
    }
    const everything = lines.join("\n");
    expect(everything).not.toContain(secretText);
    expect(everything).not.toContain(ada.token);
    expect(everything).not.toContain("forged.token.value");
  });
});
