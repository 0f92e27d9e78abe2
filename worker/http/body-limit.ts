// Refuses a body over `maxBytes` before it is read, with the API's JSON error shape (413).
import { bodyLimit } from "hono/body-limit";

export function limitBody(maxBytes: number, message = "request body too large") {
  return bodyLimit({ maxSize: maxBytes, onError: (c) => c.json({ error: message }, 413) });
}
