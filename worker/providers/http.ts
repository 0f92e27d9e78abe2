// One HTTP call to a provider's API, as every client needs it: bounded in time by a deadline that
// is cleared when the answer has been read (a timer left armed per call exhausts the runtime's
// active-timeout limit under sustained load), network failures classified as transient, and the
// body read as JSON when it is JSON (proxies and outages answer with HTML: callers then
// classify by status alone). URLs are never part of an error: some carry the token.
import { withDeadline } from "../core/deadline";
import { ProviderError } from "./errors";

/** Provider APIs answer within seconds; a hung call must not hold a channel's queue. */
export const PROVIDER_TIMEOUT_MS = 15_000;

export async function requestJson(url: string, init: RequestInit, what: string): Promise<{ response: Response; body: unknown }> {
  return withDeadline(PROVIDER_TIMEOUT_MS, async (signal) => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal });
      text = await response.text();
    } catch (error) {
      throw new ProviderError("transient", `${what} failed: ${(error as Error).name === "TimeoutError" ? "timed out" : "network error"}`);
    }
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the caller classifies by status.
    }
    return { response, body };
  });
}
