import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureDevVars } from "../../scripts/dev-vars.mjs";

const ensure = ensureDevVars as (file: string) => void;

describe("npm run dev on a fresh checkout", () => {
  const made: string[] = [];
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-vars-"));
    made.push(dir);
    return join(dir, ".dev.vars");
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("creates .dev.vars with a random secret of at least 32 characters", () => {
    const path = file();
    ensure(path);
    expect(readFileSync(path, "utf8")).toMatch(/^JWT_SECRET=\S{32,}$/m);
  });

  it("keeps an existing secret, so nobody is signed out by a restart", () => {
    const path = file();
    ensure(path);
    const first = readFileSync(path, "utf8");
    ensure(path);
    expect(readFileSync(path, "utf8")).toBe(first);
  });

  it("adds a secret to a .dev.vars that has other variables, keeping them", () => {
    const path = file();
    writeFileSync(path, "ALLOW_GUESTS=false");
    ensure(path);
    expect(readFileSync(path, "utf8")).toMatch(/^ALLOW_GUESTS=false\nJWT_SECRET=\S{32,}\n$/);
  });

  it("refuses to start with a short secret instead of replacing it", () => {
    const path = file();
    writeFileSync(path, "JWT_SECRET=short\n");
    expect(() => ensure(path)).toThrow(/shorter than 32/);
  });
});
