// Providers by id. Later providers (slack, discord, zalo-oa, …) register here.
import { telegramAdapter } from "./telegram/adapter";
import type { ProviderAdapter } from "./types";

const adapters: Record<string, ProviderAdapter> = {
  [telegramAdapter.id]: telegramAdapter,
};

export const providerIds = Object.keys(adapters);

export function findProvider(id: string): ProviderAdapter | undefined {
  return adapters[id];
}

export function getProvider(id: string): ProviderAdapter {
  const adapter = adapters[id];
  if (!adapter) throw new Error(`unknown provider "${id}"`);
  return adapter;
}
