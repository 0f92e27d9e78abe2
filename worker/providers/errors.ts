// Provider failures, classified once so the outbox and the status machine treat every provider alike.

/** The credential was refused; `message` is the provider's own answer, safe to show the operator. */
export class CredentialError extends Error {}

export type ProviderErrorKind =
  /** 429: try again after `retryAfterMs`. */
  | "rate-limited"
  /** 5xx or network: try again with back-off. */
  | "transient"
  /** The credential no longer works (revoked token): the channel goes to `error`. */
  | "unauthorized"
  /** The request itself is wrong (chat not found, bot blocked): retrying cannot help. */
  | "permanent";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Classifies an HTTP status the way most chat APIs use them. */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429) return "rate-limited";
  if (status === 401) return "unauthorized";
  if (status >= 500 || status === 408) return "transient";
  return "permanent";
}

/**
 * Runs the calls of a credential test: a refusal (anything but a transient failure) becomes a
 * CredentialError carrying the provider's answer; network trouble stays a ProviderError (502).
 */
export async function checkingCredential<T>(calls: () => Promise<T>): Promise<T> {
  try {
    return await calls();
  } catch (error) {
    if (error instanceof ProviderError && error.kind !== "transient") throw new CredentialError(error.message);
    throw error;
  }
}
