import { describe, expect, it } from "vitest";
import { AlarmSchedule } from "../../src/shared/alarm-schedule";

/** An object's one alarm, as storage keeps it, counting how often it is written. */
function storage(initial: number | null = null) {
  const state = { alarm: initial, writes: 0, reads: 0 };
  return {
    state,
    getAlarm: async () => {
      state.reads++;
      return state.alarm;
    },
    setAlarm: async (at: number | Date) => {
      state.writes++;
      state.alarm = typeof at === "number" ? at : at.getTime();
    },
  };
}

describe("an object's one alarm, shared by its parts", () => {
  it("is never pushed back by a part that is due later than another", async () => {
    const store = storage();
    const alarms = new AlarmSchedule(store);
    await alarms.dueBy(1000);
    await alarms.dueBy(5000);
    expect(store.state.alarm).toBe(1000);
    await alarms.dueBy(400);
    expect(store.state.alarm).toBe(400);
  });

  it("asks storage once per wake-up, so a part asking on every connection costs nothing", async () => {
    const store = storage(2000);
    const alarms = new AlarmSchedule(store);
    for (let n = 0; n < 5; n++) await alarms.dueBy(3000 + n);
    expect(store.state).toEqual({ alarm: 2000, writes: 0, reads: 1 });
  });

  it("keeps the earlier deadline when two parts ask at once", async () => {
    const store = storage();
    const alarms = new AlarmSchedule(store);
    await Promise.all([alarms.dueBy(1000), alarms.dueBy(3000)]);
    expect(store.state.alarm).toBe(1000);
  });

  it("runs every part when it fires, then is set for the earliest of their next deadlines", async () => {
    const store = storage(100);
    const alarms = new AlarmSchedule(store);
    const ran: string[] = [];
    alarms.add({ run: (now) => (ran.push(`sweep@${now}`), now + 45_000) });
    alarms.add({ run: async (now) => (ran.push(`files@${now}`), now + 3_600_000) });
    alarms.add({ run: () => (ran.push("idle"), undefined) });
    await alarms.run(100);
    expect(ran).toEqual(["sweep@100", "files@100", "idle"]);
    expect(store.state.alarm).toBe(45_100);
  });

  it("goes on when one part fails, and tries that part again a minute later", async () => {
    const store = storage(100);
    const alarms = new AlarmSchedule(store);
    const ran: string[] = [];
    alarms.add({
      run: () => {
        throw new Error("the room could not be reached");
      },
    });
    alarms.add({ run: (now) => (ran.push("sweep"), now + 3_600_000) });
    await alarms.run(100);
    expect(ran).toEqual(["sweep"]);
    expect(store.state.alarm).toBe(60_100);
  });

  it("is left unset when no part has anything due", async () => {
    const store = storage(100);
    const alarms = new AlarmSchedule(store);
    alarms.add({ run: () => undefined });
    await alarms.run(100);
    expect(store.state.writes).toBe(0);
    // A part that becomes due after the run sets it afresh.
    await alarms.dueBy(9000);
    expect(store.state.alarm).toBe(9000);
  });
});
