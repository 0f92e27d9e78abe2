// Copies a value to the clipboard and says so; falls back to selecting it where the clipboard API
// is unavailable (plain-http hosts other than localhost).
import { useState } from "preact/hooks";

export function CopyButton({ value, label = "Copy", targetId, ariaLabel }: { value: string; label?: string; targetId?: string; ariaLabel?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "select">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      const target = targetId ? document.getElementById(targetId) : null;
      if (target) window.getSelection()?.selectAllChildren(target);
      setState("select");
    }
    setTimeout(() => setState("idle"), 2500);
  };
  return (
    <button type="button" class="button button-small" onClick={copy} aria-label={state === "idle" ? ariaLabel : undefined}>
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "select" ? "Selected — press Ctrl+C" : label}</span>
    </button>
  );
}
