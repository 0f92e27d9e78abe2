// drizzle-kit writes SQL migrations that `wrangler d1 migrations apply` runs. Never `push` to D1.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
