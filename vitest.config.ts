import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Fixed, test-only secret; the in-runtime tests sign their own tokens with it.
export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Test files have several fresh members talk at once; the newcomers' shared budget
            // is tested end to end (test/e2e/limits.test.ts), with its own small setting.
            miniflare: { bindings: { JWT_SECRET: TEST_JWT_SECRET, NEW_MEMBER_MESSAGES: "1000000", ADMIN_USERS: "g_operator_1, g_operator_2", MAX_FILE_BYTES: "1048576", FILE_QUOTA_BYTES_PER_USER_DAY: "3000", FILE_UPLOADS_PER_USER_DAY: "8", NEW_CONVERSATIONS_PER_USER_DAY: "3", ROOMS_PER_USER: "8", HOME_READS_PER_LOAD: "4", BLOCKS_PER_USER: "3", SEARCHES_PER_MINUTE: "12" } },
          }),
        ],
        test: { name: "runtime", include: ["test/runtime/**/*.test.ts"] },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Rooms past 50 connections spread over fan-out shards, so a test of hundreds shows ten objects at work.
            miniflare: { bindings: { JWT_SECRET: TEST_JWT_SECRET, NEW_MEMBER_MESSAGES: "1000000", SHARD_CAPACITY: "50" } },
          }),
        ],
        test: { name: "sharded", include: ["test/sharded/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          // Each file runs its own local workerd; two at once is all two cores take gracefully,
          // and only after the quick in-runtime and unit projects are done.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          // Headless Chromium and workerd together fill two cores; run these files last, alone.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
