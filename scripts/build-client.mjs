// Bundles the browser client (src/client/pages/*) into static/build/, which is git-ignored.
// wrangler runs this before dev, deploy and tests ([build] in wrangler.toml).
import { build } from "esbuild";

await build({
  entryPoints: { "sign-in": "src/client/pages/sign-in-page.ts", room: "src/client/pages/room-page.ts" },
  outdir: "static/build",
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});
