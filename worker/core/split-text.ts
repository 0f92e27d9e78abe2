// Splits a long reply into provider-sized messages, preferring paragraph, line and word breaks.

/** Splits `text` into chunks of at most `max` UTF-16 code units, never inside a surrogate pair. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = bestBreak(rest, max);
    // Do not separate a high surrogate from its low surrogate.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

function bestBreak(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  // Only accept a break in the second half, so a chunk never ends up tiny.
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at > max / 2) return at + (separator === " " ? 0 : separator.length);
  }
  return max;
}
