// Login state and refreshed credentials reported by a provider (bridge sessions): the QR to show,
// the account a login connected, a session that ended, a credential the provider renewed.
import { sealChannelSecrets } from "../../worker/core/credentials";
import { setChannelAccount, setChannelCredentials, type ChannelStatus } from "../../worker/db/channels";
import type { Db } from "../../worker/db/client";
import type { LogLevel } from "../../worker/db/logs";
import type { Env } from "../../worker/env";
import type { LoginEvent } from "../../worker/providers/types";
import type { LocalStore } from "./local-store";
import type { ChannelRuntime } from "./runtime";

/** The QR the admin UI shows while a QR provider logs in. */
export interface LoginQr {
  qr: string;
  expiresAt: number;
}

export interface LoginDeps {
  db: Db;
  env: Env;
  runtime: ChannelRuntime;
  store: LocalStore;
  log(level: LogLevel, event: string, message: string): void;
  setStatus(status: ChannelStatus, reason: string | null): Promise<void>;
}

export async function applyLogin(deps: LoginDeps, login: LoginEvent): Promise<void> {
  const { runtime, store } = deps;
  switch (login.state) {
    case "qr":
      store.put("loginQr", { qr: login.qr, expiresAt: login.expiresAt } satisfies LoginQr);
      if (runtime.row.status !== "awaiting-login") {
        deps.log("info", "login.qr", "Waiting for the QR code to be scanned");
        await deps.setStatus("awaiting-login", "waiting for the QR code to be scanned");
      }
      return;
    case "connected":
      store.delete("loginQr");
      await setChannelAccount(deps.db, runtime.row.id, login.account);
      runtime.context.account = login.account;
      runtime.row.accountId = login.account.id;
      runtime.row.accountName = login.account.name;
      deps.log("info", "login.connected", `Logged in as ${login.account.name}`);
      await deps.setStatus("running", null);
      return;
    case "logged-out":
      store.delete("loginQr");
      deps.log("warn", "login.logged_out", `Logged out: ${login.reason}`);
      await deps.setStatus("error", `logged out — relogin needed (${login.reason})`);
      return;
  }
}

/** Seals and stores credentials the provider renewed, and uses them from now on. */
export async function storeCredentials(deps: LoginDeps, credentials: Record<string, string>): Promise<void> {
  const { runtime } = deps;
  const sealed = await sealChannelSecrets(deps.env.ENCRYPTION_KEY!, runtime.row.id, { credentials, webhookSecret: runtime.context.webhookSecret });
  await setChannelCredentials(deps.db, runtime.row.id, sealed);
  runtime.context.credentials = credentials;
  deps.log("info", "credentials.refreshed", "The provider renewed the session credentials; stored encrypted");
}
