import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/room/connections/group-commit";

/** A room's send path with the event loop's turns under the test's control. */
function room() {
  const batches: string[][] = [];
  const turns: (() => void)[] = [];
  const group = new GroupCommit<string>(
    (items) => batches.push([...items]),
    (run) => turns.push(run),
  );
  const nextTurn = () => turns.shift()?.();
  return { group, batches, turns, nextTurn };
}

describe("storing messages in groups", () => {
  it("handles a message that arrives in a quiet room at once, without waiting for a turn", () => {
    const { group, batches } = room();
    group.add("hello");
    expect(batches).toEqual([["hello"]]);
  });

  it("stores the messages that arrive right after it together, in the order they arrived", () => {
    const { group, batches, nextTurn } = room();
    group.add("first");
    group.add("second");
    group.add("third");
    expect(batches).toEqual([["first"]]);
    nextTurn();
    expect(batches).toEqual([["first"], ["second", "third"]]);
  });

  it("keeps grouping while messages keep coming, and leaves no turn pending once they stop", () => {
    const { group, batches, turns, nextTurn } = room();
    group.add("a");
    group.add("b");
    nextTurn();
    group.add("c");
    nextTurn();
    expect(batches).toEqual([["a"], ["b"], ["c"]]);
    nextTurn();
    expect(turns).toEqual([]);
    group.add("after a pause");
    expect(batches.at(-1)).toEqual(["after a pause"]);
  });

  it("lets work that must come after the queued messages store them first", () => {
    const { group, batches, nextTurn } = room();
    group.add("a");
    group.add("b");
    group.flush();
    expect(batches).toEqual([["a"], ["b"]]);
    nextTurn();
    expect(batches).toEqual([["a"], ["b"]]);
  });
});
