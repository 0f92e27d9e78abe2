// Login state and refreshed credentials reported by a provider (bridge sessions): the QR to show,
// the account a login connected (checked against other channels: the impact scope), a session
// that dropped or ended, a credential the provider renewed.
import { openCredentialEntry, sealChannelSecrets, sealCredentialEntry } from "../../worker/core/credentials";
import { channelsWithAccount, setChannelAccount, setChannelCredentials, type ChannelStatus } from "../../worker/db/channels";
import type { Db } from "../../worker/db/client";
import type { LogLevel } from "../../worker/db/logs";
import type { Env } from "../../worker/env";
import type { AccountInfo, LoginEvent } from "../../worker/providers/types";
import type { LocalStore } from "./local-store";
import type { ChannelRuntime } from "./runtime";

/** The QR the admin UI shows while a QR provider logs in. */
export interface LoginQr {
  qr: string;
  expiresAt: number;
  /** A data: URL when the provider hands a picture of the QR rather than its text. */
  image?: string;
}

/** A login connected an account that another channel holds: what the admin must decide. */
export interface AccountConflict {
  account: { id: string; name: string };
  channels: { channelId: string; displayName: string | null; workspaceId: string }[];
}

export interface LoginDeps {
  db: Db;
  env: Env;
  runtime: ChannelRuntime;
  store: LocalStore;
  log(level: LogLevel, event: string, message: string): void;
  setStatus(status: ChannelStatus, reason: string | null): Promise<void>;
  /** Stops another channel that held the account (the admin forced the move). */
  stopOther(channelId: string, reason: string): Promise<void>;
  /** Ends this channel's session without logging out (the account stays linked for a forced retry). */
  pauseSession(): Promise<void>;
}

export async function applyLogin(deps: LoginDeps, login: LoginEvent): Promise<void> {
  const { runtime, store } = deps;
  // A stopped channel stays stopped: a login event still on its way (the bridge had queued it
  // before the stop reached it) must not bring it back.
  if (runtime.row.status === "stopped" && login.state !== "logged-out") {
    deps.log("info", "login.ignored", `Ignored a late login event (${login.state}): the channel is stopped`);
    return;
  }
  switch (login.state) {
    case "qr":
      store.put("loginQr", { qr: login.qr, expiresAt: login.expiresAt, ...(login.image ? { image: login.image } : {}) } satisfies LoginQr);
      if (runtime.row.status !== "awaiting-login") {
        deps.log("info", "login.qr", "Waiting for the QR code to be scanned");
        await deps.setStatus("awaiting-login", "waiting for the QR code to be scanned");
      }
      return;
    case "connected":
      store.delete("loginQr");
      return connected(deps, login.account);
    case "logged-out":
      store.delete("loginQr");
      // The saved session is dead: the next start must be a fresh QR login.
      await clearCredentials(deps);
      deps.log("warn", "login.logged_out", `Logged out: ${login.reason}`);
      if (runtime.row.status !== "stopped") await deps.setStatus("error", `logged out — relogin needed (${login.reason})`);
      return;
    case "disconnected":
      if (runtime.row.status === "stopped") return;
      if (login.reconnecting) {
        deps.log("warn", "connection.lost", `Connection lost, reconnecting: ${login.reason}`);
        await deps.setStatus("starting", `reconnecting: ${login.reason}`);
      } else {
        deps.log("error", "connection.closed", `Disconnected, not reconnecting: ${login.reason}`);
        await deps.setStatus("error", login.reason);
      }
      return;
  }
}

/**
 * A login connected `account`. When another channel holds the same account, this channel stops
 * with an error naming it — unless the admin forced the move (start with `force`), in which case
 * the other channel is stopped instead (the same impact scope as a 409 at creation).
 */
async function connected(deps: LoginDeps, account: AccountInfo): Promise<void> {
  const { runtime, store } = deps;
  const holders = (await channelsWithAccount(deps.db, runtime.row.provider, account.id, runtime.row.id)).filter((row) => row.status !== "stopped");
  const forced = store.get<boolean>("forceAccount") === true;
  if (holders.length > 0 && !forced) {
    const conflict: AccountConflict = {
      account: { id: account.id, name: account.name },
      channels: holders.map((row) => ({ channelId: row.id, displayName: row.displayName, workspaceId: row.workspaceId })),
    };
    store.put("accountConflict", conflict);
    const names = holders.map((row) => row.displayName ?? row.id).join(", ");
    deps.log("error", "login.conflict", `${account.name} is connected to channel ${names}; not taking it over without force`);
    await deps.pauseSession();
    await deps.setStatus("error", `this number (${account.name}) is connected to channel ${names} — start with force to move it here`);
    return;
  }
  store.delete("accountConflict");
  store.delete("forceAccount");
  for (const holder of holders) await deps.stopOther(holder.id, `account ${account.name} was connected to channel ${runtime.row.id}`);
  await setChannelAccount(deps.db, runtime.row.id, account);
  runtime.context.account = account;
  runtime.row.accountId = account.id;
  runtime.row.accountName = account.name;
  deps.log("info", "login.connected", `Logged in as ${account.name}`);
  await deps.setStatus("running", null);
}

/** Seals and stores credentials the provider renewed (all of them, or changed entries), and uses them from now on. */
export async function storeCredentials(deps: LoginDeps, credentials: Record<string, string>, merge = false, removed: string[] = []): Promise<void> {
  const { runtime, store } = deps;
  const key = deps.env.ENCRYPTION_KEY!;
  if (!merge) {
    store.clearCredentialEntries();
    const sealed = await sealChannelSecrets(key, runtime.row.id, { credentials, webhookSecret: runtime.context.webhookSecret });
    await setChannelCredentials(deps.db, runtime.row.id, sealed);
    runtime.context.credentials = credentials;
    deps.log("info", "credentials.refreshed", "The provider renewed the session credentials; stored encrypted");
    return;
  }
  // Entries are sealed one by one in the object's own storage: a session's keys change a few at a
  // time, often on every message, and rewriting one large credential each time would not scale.
  const next = { ...runtime.context.credentials };
  for (const [name, value] of Object.entries(credentials)) {
    store.putCredentialEntry(name, await sealCredentialEntry(key, runtime.row.id, name, value));
    next[name] = value;
  }
  for (const name of removed) {
    store.deleteCredentialEntry(name);
    delete next[name];
  }
  runtime.context.credentials = next;
}

/** The channel's credentials with its sealed entries opened (bridge sessions). */
export async function withCredentialEntries(env: Env, store: LocalStore, runtime: ChannelRuntime): Promise<void> {
  const entries = store.credentialEntries();
  if (entries.length === 0) return;
  const key = env.ENCRYPTION_KEY!;
  const opened = await Promise.all(entries.map(async (entry) => [entry.name, await openCredentialEntry(key, runtime.row.id, entry.name, entry.sealed)] as const));
  runtime.context.credentials = { ...runtime.context.credentials, ...Object.fromEntries(opened) };
}

/** Forgets the saved session (logged out, or a relogin): the next start is a new QR login. */
export async function clearCredentials(deps: Pick<LoginDeps, "db" | "env" | "runtime" | "store">): Promise<void> {
  const { runtime, store } = deps;
  store.clearCredentialEntries();
  const sealed = await sealChannelSecrets(deps.env.ENCRYPTION_KEY!, runtime.row.id, { credentials: {}, webhookSecret: runtime.context.webhookSecret });
  await setChannelCredentials(deps.db, runtime.row.id, sealed);
  runtime.context.credentials = {};
}
