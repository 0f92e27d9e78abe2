// Starts what the browser tests drive, once for the project: the provider fakes (webhooks over
// plain http allowed, since the local Worker is http) and the Worker under `wrangler dev`.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startFakeProviders } from "../fakes/server.ts";
import { startAppServer } from "./support/app-server.ts";

export default async function setup(project: TestProject) {
  // The QR-login story runs a bridge process against this Worker (test/browser/qr-login.test.ts).
  const bridgeSecret = randomBytes(24).toString("base64url");
  const fakes = await startFakeProviders({ telegram: { allowHttpWebhooks: true } });
  let app;
  try {
    app = await startAppServer({ apiBases: { TELEGRAM_API_BASE: fakes.telegramApiBase, SLACK_API_BASE: fakes.slackApiBase }, vars: { BRIDGE_SECRET: bridgeSecret, BRIDGE_RUNS_IN: "external" } });
  } catch (error) {
    await fakes.close();
    throw error;
  }
  project.provide("appBaseUrl", app.baseUrl);
  project.provide("appAdminToken", app.adminToken);
  project.provide("browserFakesBase", fakes.baseUrl);
  project.provide("appBridgeSecret", bridgeSecret);
  return async () => {
    await app.stop();
    await fakes.close();
  };
}
