// Short-lived access tokens (Lark's tenant_access_token, DingTalk's accessToken), kept in memory
// until shortly before they expire. Memory is enough: a channel's Durable Object keeps its
// adapter loaded between messages, so one token serves its sends for hours, and after a restart
// the first send fetches a new one (one extra call). Nothing is written anywhere, so a token
// never reaches D1 or the logs.

export interface IssuedToken {
  token: string;
  /** Lifetime the provider gave, in seconds. */
  expiresInSeconds: number;
}

type Cached = Promise<IssuedToken & { expiresAt: number }>;

export class AccessTokenCache {
  private readonly entries = new Map<string, Cached>();

  /**
   * @param refreshMarginMs how long before expiry a token is replaced: sends never go out with a
   *   token that could expire on the way.
   */
  constructor(private readonly refreshMarginMs: number) {}

  /** The cached token for `key`, or a new one from `issue`; concurrent callers share one request. */
  async get(key: string, issue: () => Promise<IssuedToken>): Promise<string> {
    const cached = this.entries.get(key);
    if (cached) {
      const current = await cached.catch(() => null);
      if (current && current.expiresAt - this.refreshMarginMs > Date.now()) return current.token;
      if (this.entries.get(key) === cached) this.entries.delete(key);
    }
    // Another caller may have started the refresh while this one waited.
    let entry = this.entries.get(key);
    if (!entry) {
      const askedAt = Date.now();
      entry = issue().then((issued) => ({ ...issued, expiresAt: askedAt + issued.expiresInSeconds * 1000 }));
      this.entries.set(key, entry);
    }
    try {
      return (await entry).token;
    } catch (error) {
      // A failed request is not remembered: the next send asks again.
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /** Drops `token` for `key` (the provider refused it); a newer token in its place is kept. */
  async forget(key: string, token: string): Promise<void> {
    const cached = this.entries.get(key);
    if (!cached) return;
    const current = await cached.catch(() => null);
    if ((!current || current.token === token) && this.entries.get(key) === cached) this.entries.delete(key);
  }
}
