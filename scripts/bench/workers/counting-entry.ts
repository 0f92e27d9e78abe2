// Benchmark-only entry point: the unmodified Switchboard Worker and ChannelDO, with the D1
// binding (and the ChannelDO's local SQLite) wrapped in counters. Only the D1-count phase of
// `npm run bench` runs this build; latency is measured on the real bundle (or, with
// --d1-latency, on d1-latency-entry.ts).
// workerd runs a Worker and its Durable Objects in one isolate, so one module-level tally sees
// the queries of both; GET /__bench/counts reads it.
import app, { ChannelDO as ProductChannelDO } from "../../../worker/index";
import type { Env } from "../../../worker/env";

// The bridge's Durable Objects, as deployed (wrangler.toml binds them); the bench never calls them.
export { BridgeContainer, BridgeHubDO } from "../../../worker/index";
import { countingD1, countStorageSql, tally } from "./counting";
import { wrappedEnv } from "./wrapped-env";

/** The same env with DB counted. */
const countedEnv = wrappedEnv(countingD1);

export class ChannelDO extends ProductChannelDO {
  constructor(ctx: DurableObjectState, env: Env) {
    if (!countStorageSql(ctx)) tally.doSql.measured = false;
    super(ctx, countedEnv(env));
  }
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname === "/__bench/counts") return Response.json(tally);
    return app.fetch(request, countedEnv(env), ctx);
  },
};
