// The real Zalo Personal wiring: zca-js behind the ZaloDriver interface that session.ts drives.
// Loaded on demand, like the Baileys wiring.
import type { ZaloApiLike, ZaloDriver } from "./session.ts";

interface ZaloClient {
  loginQR(options: unknown, callback: unknown): Promise<unknown>;
  login(credentials: unknown): Promise<unknown>;
}

export async function loadZcaDriver(): Promise<ZaloDriver> {
  // zca-js's own type entry does not resolve under NodeNext; the shape used is declared above.
  const { Zalo } = (await import("zca-js")) as unknown as { Zalo: new (options: Record<string, unknown>) => ZaloClient };
  const client = () => new Zalo({ selfListen: false, checkUpdate: false, logging: false });
  return {
    loginQR: async (options, callback) => (await client().loginQR(options, callback)) as ZaloApiLike,
    login: async (credentials) => (await client().login(credentials)) as ZaloApiLike,
  };
}
