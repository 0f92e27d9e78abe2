// Benchmark-only entry point: the unmodified Switchboard Worker and ChannelDO, with the D1
// binding (and the ChannelDO's local SQLite) wrapped in counters. Only the D1-count phase of
// `npm run bench` runs this build; latency is always measured on the real bundle.
// workerd runs a Worker and its Durable Objects in one isolate, so one module-level tally sees
// the queries of both; GET /__bench/counts reads it.
import app, { ChannelDO as ProductChannelDO } from "../../../worker/index";
import type { Env } from "../../../worker/env";
import { countingD1, countStorageSql, tally } from "./counting";

const wrapped = new WeakMap<object, Env>();

/** The same env with DB counted; one wrapper per env so the product's per-binding caches hold. */
function countedEnv(env: Env): Env {
  let counted = wrapped.get(env);
  if (!counted) {
    counted = { ...env, DB: countingD1(env.DB) };
    wrapped.set(env, counted);
  }
  return counted;
}

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
