// Streamed progress for the chat: the cleaned answer so far, reported only when it changed.
import { stripThink } from "./think";

/**
 * Wraps `onProgress` so backends can hand it the raw text after every chunk: thinking sections
 * (even an unfinished one) are removed, and nothing is reported until there is visible text or
 * when the visible text did not change (the chat would make a no-op edit). A failing callback is
 * ignored: the stream must be read to the end even if a preview edit fails, or AnythingLLM would
 * store a truncated reply and the user would lose the answer.
 */
export function progressReporter(onProgress: ((textSoFar: string) => void) | undefined): (rawSoFar: string) => void {
  if (!onProgress) return () => undefined;
  let last = "";
  return (rawSoFar) => {
    const visible = stripThink(rawSoFar, { partial: true });
    if (visible === "" || visible === last) return;
    last = visible;
    try {
      onProgress(visible);
    } catch {
      // Progress is a preview; the final answer is what counts.
    }
  };
}
