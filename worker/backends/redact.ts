// Scrubbing secrets from text we repeat (the channel log, "Test connection"). The whole text is
// scrubbed first and only then clipped: a cut made earlier can split a key, and the piece left
// no longer matches the key, so it would be shown as is.
import { bytesToBase64 } from "../crypto/encoding";

/** Longest piece of a backend's error text we repeat in a log line. */
const MAX_DETAIL_CHARS = 300;

/**
 * Removes secrets from text we repeat: the configured secret values (also URL-encoded and
 * base64-encoded, as servers echo them back), and anything shaped like a key (OpenAI echoes a
 * masked key in its 401 message) or a bearer token. The result is clipped to one short line.
 */
export function redact(text: string, secrets: readonly unknown[]): string {
  let result = text;
  for (const form of secretForms(secrets)) result = result.split(form).join("[redacted]");
  return clip(
    result
      .replace(/\b(?:sk|rk)[-_][A-Za-z0-9_*.-]{4,}/gi, "[redacted]")
      .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]"),
  );
}

/** One line, at most MAX_DETAIL_CHARS long. Only for text that has been redacted already. */
function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS - 1)}…` : oneLine;
}

/**
 * Every form in which a secret may come back: as given, percent-encoded (upper- or lower-case
 * hex, and form-encoded), and base64 or base64url with or without padding. Longest first, so a
 * form is replaced whole before a shorter form it contains. Shorter than 4 characters is too
 * likely to be ordinary text.
 */
function secretForms(secrets: readonly unknown[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < 4) continue;
    const percent = encodeURIComponent(secret);
    const base64 = bytesToBase64(new TextEncoder().encode(secret));
    forms
      .add(secret)
      .add(percent)
      .add(percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()))
      .add(new URLSearchParams({ s: secret }).toString().slice(2))
      .add(base64)
      .add(base64.replace(/=+$/, ""))
      .add(base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
