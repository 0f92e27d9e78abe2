// Starts the provider fakes once for the whole run and hands their URLs to the Worker's bindings.
import type { TestProject } from "vitest/node";
import { startFakeProviders } from "./fakes/server.ts";

export default async function setup(project: TestProject) {
  const fakes = await startFakeProviders();
  project.provide("fakesBase", fakes.baseUrl);
  project.provide("telegramApiBase", fakes.telegramApiBase);
  project.provide("slackApiBase", fakes.slackApiBase);
  project.provide("discordApiBase", fakes.discordApiBase);
  project.provide("zaloApiBase", fakes.zaloApiBase);
  project.provide("larkApiBase", fakes.larkApiBase);
  project.provide("dingtalkApiBase", fakes.dingtalkApiBase);
  return () => fakes.close();
}
