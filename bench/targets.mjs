// Starts and stops the three servers the benchmark compares, each on 127.0.0.1 and a free port,
// and reads the CPU time and memory of the process that does the work.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
// wrangler dev also records a trace of every invocation, with a span per SQL statement, for its
// Local Explorer. That collector runs on the room's thread, is not part of the runtime on the
// edge, and costs a storing room far more than the relay (docs/performance.md), so it is off
// unless BENCH_LOCAL_OBSERVABILITY=true asks to measure it.
const QUIET = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  X_LOCAL_OBSERVABILITY: process.env.BENCH_LOCAL_OBSERVABILITY === "true" ? "true" : "false",
};

/**
 * Where the two Durable Object targets keep their state. Local workerd makes each commit durable
 * with a sync of this machine's disk, on the one thread that runs every room and socket, so a
 * slow sync stalls every delivery; on Cloudflare a write is made durable by replication and the
 * object's thread does not wait on a disk. By default the state lives in memory (/dev/shm on
 * Linux): SQLite still does all its work, only the disk's sync is out of the figures.
 * BENCH_STATE_DIR=<dir> keeps it where you say, e.g. on disk (docs/performance.md has both).
 */
export const STATE_DIR = process.env.BENCH_STATE_DIR ?? (writable("/dev/shm") ? "/dev/shm" : tmpdir());

function writable(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * edge-chat itself, as `npm run dev` runs it, with the limits a load generator trips lifted:
 * the per-user and newcomers' message limits, and guest sign-ins from one address.
 */
export function startProject(vars = {}, root = ROOT) {
  return startWrangler("edge-chat", [
    "--var", `JWT_SECRET:${randomBytes(32).toString("base64url")}`,
    "--var", "RATE_LIMIT_MESSAGES:1000000000",
    "--var", "NEW_MEMBER_MESSAGES:1000000000",
    "--var", "GUEST_SIGNINS_PER_IP:1000000000",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ], root);
}

/** Baseline (c): per message what Cloudflare's workers-chat-demo does (bench/demo-do/wrangler.toml). */
export function startDemoDo() {
  return startWrangler("demo-do", ["--config", join(ROOT, "bench/demo-do/wrangler.toml")]);
}

/** Baseline (a): the minimal Durable Object relay under the same local workerd. */
export function startDoRelay() {
  return startWrangler("relay-do", ["--config", join(ROOT, "bench/relay-do/wrangler.toml")]);
}

/** Baseline (b): a plain Node `ws` relay. */
export async function startNodeRelay() {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "bench/relay-node.mjs"), String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  await waitForOutput(child, /"port"/);
  return { kind: "relay-node", base: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child, false) };
}

/**
 * `wrangler dev` on a free port, with its state in a fresh directory under STATE_DIR that `stop`
 * removes. A port found free can be taken before wrangler binds it (the runtimes we start and
 * stop bind ports of their own), which happened about once in a hundred starts; a start that
 * fails is tried again on other ports.
 */
async function startWrangler(kind, args, root = ROOT, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWranglerOnce(kind, args, root);
    } catch (error) {
      if (attempt === attempts) throw error;
      console.error(`${error.message}\ntrying again on other ports`);
    }
  }
}

async function startWranglerOnce(kind, args, root) {
  const [port, inspector] = [await freePort(), await freePort()];
  const persist = mkdtempSync(join(STATE_DIR, `edge-chat-${kind}-`));
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--log-level", "warn", "--persist-to", persist, ...args],
    { cwd: root, env: QUIET, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  // Read what wrangler says, so its pipes never fill, and keep the end of it for a failed start.
  let said = "";
  const listen = (chunk) => (said = (said + chunk).slice(-4000));
  child.stdout.on("data", listen);
  child.stderr.on("data", listen);
  const stop = async () => (await stopChild(child, true), rmSync(persist, { recursive: true, force: true }));
  try {
    // Wrangler reports a failed start (a port in use, say) and keeps running; do not wait it out.
    await waitForPort(port, () => child.exitCode === null && !said.includes("ERROR"));
    return { kind, base: `http://127.0.0.1:${port}`, inspector, pid: workerdUnder(child.pid), stop };
  } catch (error) {
    await stop();
    throw new Error(`${kind} did not start: ${error.message}; wrangler said:\n${said}`);
  }
}

/**
 * The workerd process that runs the Worker and its Durable Objects. `wrangler dev` starts two
 * under it: a proxy that owns the public port and forwards every request and frame, and the
 * runtime behind it, the only one started with an inspector. The proxy is the same for both
 * Durable Object targets and does not exist on the edge, so the runtime is the one we measure.
 */
function workerdUnder(root) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), { ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    } catch {
      // The process ended while we looked.
    }
  }
  const isUnder = (pid) => {
    for (let p = pid; p && p !== 1; p = parents.get(p)?.ppid) if (p === root) return true;
    return false;
  };
  const isRuntime = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").some((arg) => arg.startsWith("--inspector-addr"));
    } catch {
      return false;
    }
  };
  for (const [pid, { comm }] of parents) if (comm === "workerd" && isUnder(pid) && isRuntime(pid)) return pid;
  throw new Error(`no workerd runtime process under ${root}`);
}

/** CPU seconds used so far and resident memory in bytes, from /proc. */
export function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
  return { cpuSeconds, rss };
}

async function waitForPort(port, running, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) throw new Error(`the server failed before listening on ${port}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

function waitForOutput(child, pattern) {
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => pattern.test(String(chunk)) && resolve());
    child.on("exit", (code) => reject(new Error(`exited with ${code}`)));
  });
}

function stopChild(child, group) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on("exit", () => resolve());
    try {
      if (group) process.kill(-child.pid, "SIGTERM");
      else child.kill("SIGTERM");
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        if (group) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, 5000).unref();
  });
}
