// Providers by id. Each provider is one folder under worker/providers and one line here.
import { dingTalkAdapter } from "./dingtalk/adapter";
import { larkAdapter } from "./lark/adapter";
import { slackAdapter } from "./slack/adapter";
import { discordAdapter } from "./discord/adapter";
import { telegramAdapter } from "./telegram/adapter";
import { zaloOaAdapter } from "./zalo-oa/adapter";
import type { ProviderAdapter } from "./types";
import { weChatAdapter } from "./wechat/adapter";
import { whatsappAdapter } from "./whatsapp/adapter";
import { zaloPersonalAdapter } from "./zalo-personal/adapter";

const adapters: Record<string, ProviderAdapter> = {
  [telegramAdapter.id]: telegramAdapter,
  [whatsappAdapter.id]: whatsappAdapter,
  [zaloPersonalAdapter.id]: zaloPersonalAdapter,
  [slackAdapter.id]: slackAdapter,
  [discordAdapter.id]: discordAdapter,
  [zaloOaAdapter.id]: zaloOaAdapter,
  [larkAdapter.id]: larkAdapter,
  [dingTalkAdapter.id]: dingTalkAdapter,
  [weChatAdapter.id]: weChatAdapter,
};

/** Adds a provider at run time (an embedder's own, or a test provider); built-in ids cannot be replaced. */
export function registerProvider(adapter: ProviderAdapter): void {
  if (adapters[adapter.id] && adapters[adapter.id] !== adapter) throw new Error(`provider "${adapter.id}" is already registered`);
  adapters[adapter.id] = adapter;
}

export function listProviders(): ProviderAdapter[] {
  return Object.values(adapters);
}

/** Providers of the product that are not built yet: listed as "coming soon", never selectable. */
export const upcomingProviders: { id: string; label: string; connection: "token" | "qr" }[] = [];

export function findProvider(id: string): ProviderAdapter | undefined {
  return adapters[id];
}

export function getProvider(id: string): ProviderAdapter {
  const adapter = adapters[id];
  if (!adapter) throw new Error(`unknown provider "${id}"`);
  return adapter;
}
