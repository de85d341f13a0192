import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/protocol";
import { newRoom, newUser } from "../runtime/helpers";
import type { TestSocket } from "../support/test-socket";
import { connect, upgrade } from "./helpers";

/** Whether a socket was welcomed, or closed first and with what. */
async function outcome(socket: TestSocket): Promise<"welcomed" | number> {
  return Promise.race([socket.next("welcome").then(() => "welcomed" as const), socket.closed.then(({ code }) => code)]);
}

describe("the caps of a room whose connections go to shards", () => {
  it("hold for one person opening many sockets at once: the tenth is the last welcomed, the rest are told why", async () => {
    const room = newRoom("shard-caps");
    // The room holds the first 50 (SHARD_CAPACITY); everything after goes to shards.
    await Promise.all(Array.from({ length: 50 }, async (_, n) => connect(room, await newUser(`Filler${n}`))));
    const greedy = await newUser("Greedy");
    const sockets = await Promise.all(Array.from({ length: 15 }, () => upgrade(room, greedy)));
    const outcomes = await Promise.all(sockets.map(outcome));
    expect(outcomes.filter((o) => o === "welcomed")).toHaveLength(10);
    expect(outcomes.filter((o) => o === CloseCode.Abuse)).toHaveLength(5);
  });
});
