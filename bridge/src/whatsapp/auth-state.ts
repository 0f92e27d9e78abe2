// Baileys' auth state (creds and signal keys) held in memory and saved in the Worker: every
// change leaves as a `credentials` event with just the entries that changed, which the channel's
// Durable Object seals one by one. The container's disk never holds the session, so a restarted
// bridge resumes from what the Worker hands back. Entries: `creds`, and `<type>:<id>` per key.
import type { EmitEvent } from "../sessions.ts";

/** How Baileys' values become text and back (BufferJSON in the real wiring, plain JSON in tests). */
export interface AuthCodec {
  stringify(value: unknown): string;
  parse(text: string): unknown;
  initCreds(): Record<string, unknown>;
  /** Re-hydrates a key read back (app-state-sync-key values become protobuf objects again). */
  reviveKey?(type: string, value: unknown): unknown;
}

/** Baileys' SignalKeyStore, structurally. */
export interface KeyStore {
  get(type: string, ids: string[]): Promise<Record<string, unknown>>;
  set(data: Record<string, Record<string, unknown>>): Promise<void>;
}

export interface AuthState {
  creds: Record<string, unknown>;
  keys: KeyStore;
}

export class AuthStore {
  readonly state: AuthState;
  private readonly keys = new Map<string, unknown>();
  /** The saved state had creds: a resume, not a new QR login. */
  readonly resumed: boolean;

  constructor(
    entries: Record<string, string>,
    private readonly codec: AuthCodec,
    private readonly emit: EmitEvent,
  ) {
    this.resumed = typeof entries.creds === "string";
    const creds = this.resumed ? (codec.parse(entries.creds!) as Record<string, unknown>) : codec.initCreds();
    for (const [name, text] of Object.entries(entries)) {
      if (name === "creds") continue;
      const colon = name.indexOf(":");
      if (colon > 0) this.keys.set(name, codec.parse(text));
    }
    const store = this;
    this.state = {
      creds,
      keys: {
        async get(type, ids) {
          const out: Record<string, unknown> = {};
          for (const id of ids) {
            const value = store.keys.get(`${type}:${id}`);
            if (value !== undefined && value !== null) out[id] = codec.reviveKey ? codec.reviveKey(type, value) : value;
          }
          return out;
        },
        async set(data) {
          const set: Record<string, string> = {};
          const removed: string[] = [];
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              const name = `${type}:${id}`;
              if (value === null || value === undefined) {
                if (store.keys.delete(name)) removed.push(name);
              } else {
                store.keys.set(name, value);
                set[name] = codec.stringify(value);
              }
            }
          }
          if (Object.keys(set).length > 0 || removed.length > 0) emit({ type: "credentials", set, removed, replace: false });
        },
      },
    };
  }

  /** Saves the creds (Baileys' `creds.update`): the object is mutated in place by Baileys. */
  saveCreds(): void {
    this.emit({ type: "credentials", set: { creds: this.codec.stringify(this.state.creds) }, removed: [], replace: false });
  }

  keyCount(): number {
    return this.keys.size;
  }
}
