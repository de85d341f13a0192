// `npm run bench:profile [scenario] [target]`: runs one load scenario (default
// manySendersSaturated) against edge-chat (or `demo-do`, `relay-do`) while V8's sampling profiler records the Worker and its objects through
// wrangler's inspector, then prints where the CPU went: the functions with the most self
// time, and the same grouped by source file. The profile itself goes to
// bench/results/<scenario>.cpuprofile, which Chrome's DevTools open.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import WebSocket from "ws";
import { startDemoDo, startDoRelay, startProject } from "./targets.mjs";

const scenario = process.argv[2] ?? "manySendersSaturated";
const kind = process.argv[3] ?? "edge-chat";
const start = { "edge-chat": () => startProject(scenario === "sharded" ? { SHARD_CAPACITY: "100" } : {}), "demo-do": startDemoDo, "relay-do": startDoRelay }[kind];
const target = await start();
try {
  const targets = await (await fetch(`http://127.0.0.1:${target.inspector}/json`)).json();
  const worker = targets.find((t) => t.webSocketDebuggerUrl && !/proxy/i.test(t.title ?? "")) ?? targets[0];
  const cdp = await connect(worker.webSocketDebuggerUrl);
  await cdp.call("Profiler.enable");
  await cdp.call("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.call("Profiler.start");
  const config = JSON.stringify({ target: { kind, base: target.base }, scenario: scenario === "sharded" || scenario === "unsharded" ? "thousand" : scenario, pid: target.pid, historyBytes: 0 });
  const { stdout } = await promisify(execFile)(process.execPath, [new URL("./load.mjs", import.meta.url).pathname, config], { maxBuffer: 1 << 20, timeout: 180_000 });
  const { profile } = await cdp.call("Profiler.stop");
  cdp.close();
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${scenario}-${kind}.cpuprofile`, import.meta.url), JSON.stringify(profile));
  console.log(`load: ${stdout.trim().split("\n").at(-1)}\n`);
  report(profile);
} finally {
  await target.stop();
}

/** Self time per function and per file, from the profile's samples. */
function report(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  const functions = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = url ? url.replace(/^.*\/(src|node_modules)\//, "$1/") : "(runtime)";
    add(functions, `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`, us);
    add(files, file, us);
  }
  // Inclusive time: a sample counts for every distinct function on its stack, once.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at).callFrame;
      if (!url) continue;
      const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\//, "")}:${lineNumber + 1}`;
      if (!seen.has(key)) (seen.add(key), add(inclusive, key, us));
    }
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  console.log(`sampled ${(total / 1e6).toFixed(2)} s of the Worker's thread\n\nfunctions by self time:\n${top(functions, 25).join("\n")}\n\nfunctions by inclusive time:\n${top(inclusive, 30).join("\n")}\n\nfiles by self time:\n${top(files, 15).join("\n")}`);
}

function connect(url) {
  const ws = new WebSocket(url);
  let next = 0;
  const waiting = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(String(data));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () =>
      resolve({
        call: (method, params = {}) =>
          new Promise((res, rej) => {
            const id = ++next;
            waiting.set(id, { resolve: res, reject: rej });
            ws.send(JSON.stringify({ id, method, params }));
          }),
        close: () => ws.close(),
      }),
    );
  });
}
