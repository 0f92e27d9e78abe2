// Tests run inside workerd (the Workers runtime) with real D1 and Durable Objects. Provider APIs
// are faithful fakes served by the test run itself on 127.0.0.1 (see test/global-setup.ts).
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
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
          FAKES_BASE: inject("fakesBase"),
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/support/apply-migrations.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
