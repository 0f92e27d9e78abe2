// Starts what the browser tests drive, once for the project: the provider fakes (webhooks over
// plain http allowed, since the local Worker is http) and the Worker under `wrangler dev`.
import type { TestProject } from "vitest/node";
import { startFakeProviders } from "../fakes/server.ts";
import { startAppServer } from "./support/app-server.ts";

export default async function setup(project: TestProject) {
  const fakes = await startFakeProviders({ telegram: { allowHttpWebhooks: true } });
  let app;
  try {
    app = await startAppServer({ apiBases: { TELEGRAM_API_BASE: fakes.telegramApiBase, SLACK_API_BASE: fakes.slackApiBase } });
  } catch (error) {
    await fakes.close();
    throw error;
  }
  project.provide("appBaseUrl", app.baseUrl);
  project.provide("appAdminToken", app.adminToken);
  project.provide("browserFakesBase", fakes.baseUrl);
  return async () => {
    await app.stop();
    await fakes.close();
  };
}
