import { describe, expect, it } from "vitest";
import { batchOf, HeldFrames } from "../../src/shared/held-frames";
import { parseServerFrames } from "../../src/protocol";

/** A socket that records what it was sent; a closed one throws, as the runtime's does. */
function socket(name: string, received: string[], closed = false): WebSocket {
  return {
    send(frame: string) {
      if (closed) throw new TypeError("WebSocket is closed");
      received.push(`${name}:${frame}`);
    },
  } as unknown as WebSocket;
}

/** Held frames whose writes become durable when the test says so, one confirmation per release. */
function heldFrames(readsBatches?: (ws: object) => boolean) {
  const confirmations: { confirm: () => void; fail: (error: Error) => void }[] = [];
  const failures: unknown[] = [];
  const box = new HeldFrames(
    () => new Promise<void>((confirm, fail) => confirmations.push({ confirm, fail })),
    (error) => failures.push(error),
    readsBatches,
  );
  return { box, confirmations, failures };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("frames held until their writes are durable", () => {
  it("leave only once the writes before them are durable, in the order they were queued", async () => {
    const received: string[] = [];
    const [ada, bob] = [socket("ada", received), socket("bob", received)];
    const { box, confirmations } = heldFrames();
    box.hold(ada, "ack 1");
    box.hold([ada, bob], "message 1", ada);
    box.hold([ada, bob], "message 2");
    box.releaseWhenDurable();
    await settled();
    expect(received).toEqual([]);

    confirmations[0]!.confirm();
    await settled();
    expect(received).toEqual(["ada:ack 1", "bob:message 1", "ada:message 2", "bob:message 2"]);
  });

  it("go out batch after batch, even when a later batch's writes are confirmed first", async () => {
    const received: string[] = [];
    const bob = socket("bob", received);
    const { box, confirmations } = heldFrames();
    box.hold(bob, "message 1");
    box.releaseWhenDurable();
    box.hold(bob, "message 2");
    box.releaseWhenDurable();

    confirmations[1]!.confirm();
    await settled();
    expect(received).toEqual([]);
    confirmations[0]!.confirm();
    await settled();
    expect(received).toEqual(["bob:message 1", "bob:message 2"]);
  });

  it("are never sent when the writes fail, and the failure is reported", async () => {
    const received: string[] = [];
    const bob = socket("bob", received);
    const { box, confirmations, failures } = heldFrames();
    box.hold(bob, "message 1");
    box.releaseWhenDurable();
    confirmations[0]!.fail(new Error("disk full"));
    await settled();
    expect(received).toEqual([]);
    expect(failures).toEqual([new Error("disk full")]);

    box.hold(bob, "message 2");
    box.releaseWhenDurable();
    confirmations[1]!.confirm();
    await settled();
    expect(received).toEqual(["bob:message 2"]);
  });

  it("still reach everyone else when one recipient's socket has closed", async () => {
    const received: string[] = [];
    const sockets = [socket("ada", received), socket("gone", received, true), socket("bob", received)];
    const { box, confirmations } = heldFrames();
    box.hold(sockets, "message 1");
    box.releaseWhenDurable();
    confirmations[0]!.confirm();
    await settled();
    expect(received).toEqual(["ada:message 1", "bob:message 1"]);
  });

  it("ask for no confirmation when nothing is held", () => {
    const { box, confirmations } = heldFrames();
    box.releaseWhenDurable();
    expect(confirmations).toEqual([]);
  });
});

describe("frames for a client that reads batches", () => {
  const ack = (n: number) => JSON.stringify({ type: "ack", id: `m${n}`, seq: n, ts: 1 });
  const message = (n: number) => JSON.stringify({ type: "message", seq: n, id: `m${n}`, from: { id: "u", name: "U" }, text: `t${n}`, ts: 1 });

  it("go as one batch frame per release, in order, while other sockets get them one by one", async () => {
    const received: string[] = [];
    const [reader, plain] = [socket("reader", received), socket("plain", received)];
    const { box, confirmations } = heldFrames((ws) => ws === reader);
    box.hold(reader, ack(1));
    box.hold([reader, plain], message(2));
    box.hold([reader, plain], message(3), reader);
    box.releaseWhenDurable();
    confirmations[0]!.confirm();
    await settled();

    expect(received).toEqual([`plain:${message(2)}`, `plain:${message(3)}`, `reader:${batchOf([ack(1), message(2)])}`]);
    expect(parseServerFrames(received[2]!.slice("reader:".length))).toEqual([JSON.parse(ack(1)), JSON.parse(message(2))]);
  });

  it("is a plain frame when a release has one frame for the socket", async () => {
    const received: string[] = [];
    const reader = socket("reader", received);
    const { box, confirmations } = heldFrames(() => true);
    box.hold(reader, ack(1));
    box.releaseWhenDurable();
    confirmations[0]!.confirm();
    await settled();
    expect(received).toEqual([`reader:${ack(1)}`]);
  });
});
