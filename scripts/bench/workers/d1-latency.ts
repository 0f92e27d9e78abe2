// The D1 latency model: every round trip to D1 waits `ms` before it reaches the database, as a
// network round trip to the database's location would. Locally D1 is SQLite in the same
// process, so without this a round trip costs CPU but no wait.
import { hookedD1 } from "./hooked-d1";

export function delayedD1(real: D1Database, ms: number): D1Database {
  if (!(ms > 0)) return real;
  return hookedD1(real, () => new Promise((resolve) => setTimeout(resolve, ms)));
}
