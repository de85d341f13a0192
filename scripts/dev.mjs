// `npm run dev`: the chat on http://localhost:8787 under local workerd, with no configuration.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { ensureDevVars } from "./dev-vars.mjs";

/** A free port for the inspector, so a second checkout or a debugger already on 9229 is no obstacle. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

ensureDevVars();
const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--inspector-port", String(await freePort()), ...process.argv.slice(2)];
const child = spawn("npx", args, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 1));
