// Reasoning models put their chain of thought inside `<think>…</think>` in the answer text
// (DeepSeek R1, Qwen QwQ/3; AnythingLLM passes it through). Chat users should only see the answer.

const OPEN_TAG = "<think>";

/**
 * Removes `<think>` sections from an answer. A section still open at the end is removed too
 * (a stream cut short, or a model still thinking), and a lone `</think>` drops everything before
 * it (templates that open the section themselves, e.g. DeepSeek R1 on some servers).
 * With `partial`, a trailing fragment that could be the start of `<think>` is held back as well,
 * so streamed progress never flashes the beginning of a thinking section.
 */
export function stripThink(text: string, options: { partial?: boolean } = {}): string {
  let rest = text;
  const firstOpen = rest.search(/<think>/i);
  const firstClose = rest.search(/<\/think>/i);
  if (firstClose !== -1 && (firstOpen === -1 || firstClose < firstOpen)) rest = rest.slice(firstClose + "</think>".length);

  // Complete sections, then one left open at the end.
  let answer = rest.replace(/<think>[\s\S]*?<\/think>/gi, "").replace(/<think>[\s\S]*$/i, "");
  if (options.partial) answer = answer.slice(0, answer.length - partialTagLength(answer));
  return answer.trim();
}

/** Length of a suffix of `text` that is a proper prefix of `<think>` ("<", "<th", …). */
function partialTagLength(text: string): number {
  for (let length = Math.min(OPEN_TAG.length - 1, text.length); length > 0; length -= 1) {
    if (OPEN_TAG.startsWith(text.slice(-length).toLowerCase())) return length;
  }
  return 0;
}
