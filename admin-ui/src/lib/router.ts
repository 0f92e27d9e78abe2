// A small history-API router: pages are real URLs (the Worker answers every page path with the
// app), links work with the keyboard, middle-click and "open in new tab".
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();
/** Set by a navigation that must leave focus where it is (a tab switch inside a page). */
let keepFocus = false;
window.addEventListener("popstate", () => {
  keepFocus = false;
  listeners.forEach((listener) => listener());
});

/** Goes to `to`. `keepFocus`: the page stays the same, so focus is not moved to its heading. */
export function navigate(to: string, options: { replace?: boolean; keepFocus?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  keepFocus = options.keepFocus ?? false;
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((listener) => listener());
}

/** The current path and query, re-rendering the caller when it changes. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Whether the last navigation showed a new page (and focus should move to its heading). */
export function takeFocusRequest(): boolean {
  const move = !keepFocus;
  keepFocus = false;
  return move;
}

/** Handles a click on an in-app link without a page load (modified clicks keep their meaning). */
export function followLink(event: MouseEvent, href: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(href);
}
