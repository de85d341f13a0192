// `npm run bench`: edge-chat against (a) a minimal Durable Object relay and (b) a Node `ws`
// relay, on the same scenarios, in interleaved rounds, reported as medians and as ratios
// (absolute numbers on a shared machine are noise; ratios measured in one run are not).
// Writes bench/results/latest.json. BENCH_ROUNDS sets the rounds (default 3); BENCH_SCENARIOS
// (comma-separated) runs only some scenarios, for a quick look while changing the hot path;
// BENCH_STATE_DIR puts the rooms' state somewhere other than memory (bench/targets.mjs says why).
// BENCH_BEFORE=<checkout> adds that checkout of edge-chat (a `git worktree` of an earlier commit,
// with node_modules) as a fourth target in the same interleaved rounds, for the ratio a change made.
// BENCH_TARGETS (comma-separated) runs only some targets, e.g. edge-chat,before while trying a change.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { STATE_DIR, startDemoDo, startDoRelay, startNodeRelay, startProject } from "./targets.mjs";

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCENARIOS = process.env.BENCH_SCENARIOS?.split(",") ?? ["idle", "fanout", "fixedLoad", "manyRooms", "resume", "manySenders", "manySendersSaturated", "unsharded", "sharded", "homesClosed", "homesOpen", "homeLoad", "historyPages"];
const BEFORE = process.env.BENCH_BEFORE;
const TARGETS = { "edge-chat": startProject, "relay-do": startDoRelay, "relay-node": startNodeRelay, "demo-do": startDemoDo, ...(BEFORE ? { before: startProject } : {}) };
// Homes and shards exist only in edge-chat: these compare edge-chat with itself (docs/home.md, docs/sharding.md).
const PROJECT_ONLY = new Set(["homesClosed", "homesOpen", "homeLoad", "historyPages", "unsharded", "sharded"]);
// The demo's baseline answers the many-sender scenario, the one it was added for (issue 19).
const DEMO_SCENARIOS = new Set(["manySenders", "manySendersSaturated"]);
// The same load (bench/load.mjs `thousand`) in one object, and over the room and nine shards.
const LOAD_OF = { unsharded: "thousand", sharded: "thousand" };
const PROJECT_VARS = { sharded: { SHARD_CAPACITY: "100" } };

// The relays replay a frame as large as edge-chat's history of the same 500 messages.
const sample = { type: "message", seq: 123, id: "m12", from: { id: "g_0123456789abcdef", name: "Load 123" }, text: `12:3:${"x".repeat(60)}`, ts: 1795540000000 };
const historyBytes = JSON.stringify({ type: "history", messages: Array(500).fill(sample), more: false }).length;

const results = Object.fromEntries(Object.keys(TARGETS).map((t) => [t, Object.fromEntries(SCENARIOS.map((s) => [s, []]))]));
const started = Date.now();

// Every scenario gets servers of its own, started for it and stopped after it. In one long-lived
// process a scenario pays for the garbage the earlier ones left, and which server pays depends
// on how much each allocated in between, not on the scenario measured (docs/performance.md).
// Go's `testing` collects garbage before each benchmark for the same reason; a fresh process
// gives every server that clean start.
for (let round = 0; round < ROUNDS; round++) {
  for (const scenario of SCENARIOS) {
    // Rotate the order so no target always runs on a cold or a tired machine.
    const order = Object.keys(TARGETS)
      .map((_, i, all) => all[(i + round) % all.length])
      .filter((kind) => kind === "edge-chat" || kind === "before" || !PROJECT_ONLY.has(scenario))
      .filter((kind) => kind !== "demo-do" || DEMO_SCENARIOS.has(scenario))
      .filter((kind) => !process.env.BENCH_TARGETS || process.env.BENCH_TARGETS.split(",").includes(kind));
    for (const kind of order) {
      const target = await (kind === "edge-chat" || kind === "before" ? startProject(PROJECT_VARS[scenario], kind === "before" ? BEFORE : undefined) : TARGETS[kind]());
      try {
        const config = JSON.stringify({ target: { kind: kind === "before" ? "edge-chat" : kind, base: target.base }, scenario: LOAD_OF[scenario] ?? scenario, pid: target.pid, historyBytes });
        const { stdout } = await run(process.execPath, [new URL("./load.mjs", import.meta.url).pathname, config], { maxBuffer: 1 << 20, timeout: 120_000 });
        const result = JSON.parse(stdout.trim().split("\n").at(-1));
        results[kind][scenario].push(result);
        console.error(`round ${round + 1}/${ROUNDS} ${kind.padEnd(10)} ${scenario.padEnd(9)} ${JSON.stringify(result)}`);
      } finally {
        await target.stop();
      }
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const figure = (kind, scenario, key) => (results[kind][scenario].length ? median(results[kind][scenario].map((r) => r[key])) : NaN);

const FIGURES = [
  ["fanout", "connectMs", "connect 100 clients (ms)", "lower"],
  ["fanout", "deliveriesPerSecond", "fan-out, 1 room of 100, 5 senders: deliveries/s", "higher"],
  ["fixedLoad", "p50", "fan-out latency p50 at 10,000 deliveries/s (ms)", "lower"],
  ["fixedLoad", "p95", "fan-out latency p95 (ms)", "lower"],
  ["fixedLoad", "p99", "fan-out latency p99 (ms)", "lower"],
  ["manyRooms", "deliveriesPerSecond", "50 rooms of 4, all sending: deliveries/s", "higher"],
  ["idle", "connectMs", "connect 500 clients (ms)", "lower"],
  ["idle", "bytesPerConnection", "server memory per connection (bytes)", "lower"],
  ["idle", "quietCpuSeconds", "CPU in 10 s with 500 quiet clients (s)", "lower"],
  ["idle", "idleCpuSeconds", "CPU for 2,000 pings from 500 idle clients (s)", "lower"],
  ["resume", "resumeMs", "resume: 500 missed messages in one frame (ms)", "lower"],
  ["manySenders", "deliveriesPerSecond", "1 room of 150, all sending 1.9/s: deliveries/s", "higher"],
  ["manySenders", "cpuUsPerDelivery", "1 room of 150, all sending: runtime CPU per delivery (µs)", "lower"],
  ["manySenders", "p50", "1 room of 150, all sending: latency p50 (ms)", "lower"],
  ["manySenders", "p99", "1 room of 150, all sending: latency p99 (ms)", "lower"],
  ["manySendersSaturated", "deliveriesPerSecond", "1 room of 150, all sending 5/s (saturated): deliveries/s", "higher"],
  ["manySendersSaturated", "cpuUsPerDelivery", "1 room of 150, saturated: runtime CPU per delivery (µs)", "lower"],
  ["homeLoad", "joinMs", "one person joining 200 rooms: ms per join", "lower"],
  ["homeLoad", "cpuMsPerJoin", "one person joining 200 rooms: CPU per join (ms)", "lower"],
  ["homeLoad", "loadMs", "their home, no news since the last load: ms per load", "lower"],
  ["homeLoad", "cpuMsPerLoad", "their home, no news since the last load: CPU per load (ms)", "lower"],
  ["historyPages", "pageMs1000", "a page of 50 read back in a room of 1,000 messages (ms)", "lower"],
  ["historyPages", "pageMs100000", "a page of 50 read back in a room of 100,000 messages (ms)", "lower"],
  ["historyPages", "cpuMsPerPage1000", "its CPU, room of 1,000 (ms)", "lower"],
  ["historyPages", "cpuMsPerPage100000", "its CPU, room of 100,000 (ms)", "lower"],
  ["homeLoad", "cpuMsPerSettingsRead", "the floor, a read of their settings from the same hub: CPU (ms)", "lower"],
];

const rows = FIGURES.filter(([scenario]) => !PROJECT_ONLY.has(scenario)).filter(([scenario]) => SCENARIOS.includes(scenario)).map(([scenario, key, label, better]) => {
  const [ours, relayDo, relayNode, demo] = ["edge-chat", "relay-do", "relay-node", "demo-do"].map((k) => figure(k, scenario, key));
  // A ratio to nothing (no CPU at all in a quiet window, say) is not a figure.
  const ratio = (baseline) => (baseline > 0 ? ours / baseline : null);
  return { label, better, ours, relayDo, relayNode, demo, vsRelayDo: ratio(relayDo), vsRelayNode: ratio(relayNode), vsDemo: ratio(demo) };
});
const losses = Object.entries(results).flatMap(([kind, byScenario]) =>
  Object.entries(byScenario).flatMap(([scenario, runs]) =>
    runs.filter((r) => r.lost || r.duplicates).map((r) => `${kind} ${scenario}: lost ${r.lost}, duplicated ${r.duplicates}`),
  ),
);

let homes;
const fmt = (n) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(n < 1 ? 3 : 1));
const times = (ratio) => (ratio === null ? "-" : `${ratio.toFixed(2)}x`);
console.log(`\nedge-chat benchmark, ${ROUNDS} interleaved rounds, medians, ${Math.round((Date.now() - started) / 1000)} s, rooms' state in ${STATE_DIR}\n`);
console.log("| figure | better | edge-chat | DO relay | Node ws relay | chat demo | edge-chat / DO relay | edge-chat / Node relay | edge-chat / chat demo |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  console.log(`| ${r.label} | ${r.better} | ${fmt(r.ours)} | ${fmt(r.relayDo)} | ${fmt(r.relayNode)} | ${Number.isNaN(r.demo) ? "-" : fmt(r.demo)} | ${times(r.vsRelayDo)} | ${times(r.vsRelayNode)} | ${times(r.vsDemo)} |`);
}
let sharding;
if (SCENARIOS.includes("unsharded") && SCENARIOS.includes("sharded")) {
  const [one, ten] = ["unsharded", "sharded"].map((s) => ({ rate: figure("edge-chat", s, "deliveriesPerSecond"), cpu: figure("edge-chat", s, "cpuUsPerDelivery"), paced: figure("edge-chat", s, "cpuMsPerPacedMessage"), p50: figure("edge-chat", s, "p50"), p99: figure("edge-chat", s, "p99"), connectMs: figure("edge-chat", s, "connectMs") }));
  sharding = { unsharded: one, sharded: ten, cpuRatio: ten.cpu / one.cpu, rateRatio: ten.rate / one.rate };
  console.log(`\n1 room of 1,000, 5 senders: one object ${fmt(one.rate)} deliveries/s at ${fmt(one.cpu)} µs CPU each (p50 ${fmt(one.p50)} ms, p99 ${fmt(one.p99)} ms); room + 9 shards (SHARD_CAPACITY=100) ${fmt(ten.rate)} deliveries/s at ${fmt(ten.cpu)} µs (p50 ${fmt(ten.p50)} ms, p99 ${fmt(ten.p99)} ms): CPU per delivery ${times(sharding.cpuRatio)}, deliveries/s ${times(sharding.rateRatio)}; connecting 1,000 took ${fmt(one.connectMs)} ms and ${fmt(ten.connectMs)} ms`);
  console.log(`one message at a time (a batch each): ${fmt(one.paced)} ms CPU per message in one object, ${fmt(ten.paced)} ms over ten: ${fmt(((ten.paced - one.paced) * 1000) / 9)} µs per shard per batch`);
}
if (SCENARIOS.includes("homesClosed") && SCENARIOS.includes("homesOpen")) {
  const [closed, open] = ["homesClosed", "homesOpen"].map((s) => figure("edge-chat", s, "cpuMsPerMessage"));
  homes = { closed, open, ratio: open / closed, news: figure("edge-chat", "homesOpen", "homeNews") };
  console.log(`\nroom of 1,000 members, 20 online, 100 messages/s: CPU per message ${fmt(closed)} ms with no home page open, ${fmt(open)} ms with 20 open (${homes.news} home updates): ${times(homes.ratio)}`);
}
if (SCENARIOS.includes("historyPages")) {
  const [small, large] = ["cpuMsPerPage1000", "cpuMsPerPage100000"].map((key) => figure("edge-chat", "historyPages", key));
  const [smallMs, largeMs] = ["pageMs1000", "pageMs100000"].map((key) => figure("edge-chat", "historyPages", key));
  console.log(`\na page of 50 read back: ${fmt(smallMs)} ms (${fmt(small)} ms CPU) in a room of 1,000 messages, ${fmt(largeMs)} ms (${fmt(large)} ms CPU) in one of 100,000: CPU ${times(small > 0 ? large / small : null)}`);
}
let homeLoad;
if (SCENARIOS.includes("homeLoad")) {
  homeLoad = Object.fromEntries(["joinMs", "cpuMsPerJoin", "loadMs", "cpuMsPerLoad", "cpuMsPerSettingsRead"].map((key) => [key, figure("edge-chat", "homeLoad", key)]));
  console.log(`\none person in 200 rooms: a join ${fmt(homeLoad.joinMs)} ms (${fmt(homeLoad.cpuMsPerJoin)} ms CPU); a load of their home with no news ${fmt(homeLoad.loadMs)} ms (${fmt(homeLoad.cpuMsPerLoad)} ms CPU), against ${fmt(homeLoad.cpuMsPerSettingsRead)} ms CPU for a read of their settings`);
}
if (BEFORE) {
  console.log(`\nedge-chat against ${BEFORE} (before), same rounds:`);
  for (const [scenario, key, label] of FIGURES.filter(([scenario]) => SCENARIOS.includes(scenario))) {
    const [now, then] = [figure("edge-chat", scenario, key), figure("before", scenario, key)];
    console.log(`  ${label}: ${fmt(now)} now, ${fmt(then)} before: ${times(then > 0 ? now / then : null)}`);
  }
}
console.log(`\nlost or duplicated messages: ${losses.length === 0 ? "none" : losses.join("; ")}`);

mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/latest.json", import.meta.url), JSON.stringify({ rounds: ROUNDS, stateDir: STATE_DIR, rows, homes, homeLoad, sharding, losses, raw: results }, null, 2));
// Loss in a baseline is a finding to report; loss in edge-chat is a failure.
if (losses.some((line) => line.startsWith("edge-chat"))) process.exitCode = 1;
