// Makes sure `.dev.vars` holds a JWT_SECRET, so `npm run dev` needs no configuration.
// A secret that is already there is kept: changing it would sign everyone out.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export function ensureDevVars(file = new URL("../.dev.vars", import.meta.url)) {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (/^JWT_SECRET=\S{32,}/m.test(current)) return;
  if (/^JWT_SECRET=/m.test(current)) {
    throw new Error(".dev.vars has a JWT_SECRET shorter than 32 characters; lengthen it or delete the line to get a new one.");
  }
  const line = `JWT_SECRET=${randomBytes(32).toString("base64url")}\n`;
  if (current) appendFileSync(file, (current.endsWith("\n") ? "" : "\n") + line);
  else writeFileSync(file, `# Local development only; git-ignored. Production uses \`wrangler secret put JWT_SECRET\`.\n${line}`);
  console.log("Created a development JWT_SECRET in .dev.vars");
}
