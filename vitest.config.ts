// Two test projects, both run by `npm test`:
// - workers: inside workerd (the Workers runtime) with real D1 and Durable Objects. Provider APIs
//   are faithful fakes served by the test run itself on 127.0.0.1 (see test/global-setup.ts).
// - browser: in Node; starts the whole app with `wrangler dev`, the fakes, and headless Chromium,
//   and drives the admin UI like an operator (see test/browser/global-setup.ts).
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                ADMIN_TOKEN: "test-admin-token",
                ENCRYPTION_KEY: "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE=",
                PUBLIC_URL: "https://switchboard.example",
                TELEGRAM_API_BASE: inject("telegramApiBase"),
                SLACK_API_BASE: inject("slackApiBase"),
                DISCORD_API_BASE: inject("discordApiBase"),
                ZALO_API_BASE: inject("zaloApiBase"),
                LARK_API_BASE: inject("larkApiBase"),
                DINGTALK_API_BASE: inject("dingtalkApiBase"),
                FAKES_BASE: inject("fakesBase"),
                // Cases per provider for the parser fuzz suite; `npm run fuzz` raises it.
                FUZZ_CASES: process.env.FUZZ_CASES ?? "2000",
              },
              // Workers AI cannot be reached offline: `AI` is a service binding to a stand-in
              // whose run() answers like the real binding (test/fakes/workers-ai-standin.mjs).
              serviceBindings: { AI: "workers-ai-standin" },
              workers: [
                {
                  name: "workers-ai-standin",
                  modules: true,
                  scriptPath: "./test/fakes/workers-ai-standin.mjs",
                  compatibilityDate: "2026-11-01",
                  bindings: { FAKES_BASE: inject("fakesBase") },
                },
              ],
            },
          })),
        ],
        test: {
          name: "workers",
          globalSetup: ["./test/admin-ui-build.ts", "./test/global-setup.ts"],
          setupFiles: ["./test/support/apply-migrations.ts"],
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "**/node_modules/**"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["./test/browser/global-setup.ts"],
          // One app and one browser for the whole project: the files share them, one at a time.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
