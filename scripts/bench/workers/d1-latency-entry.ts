// Benchmark-only entry point for `npm run bench -- --d1-latency <ms>`: the unmodified
// Switchboard Worker and ChannelDO, with each D1 round trip delayed by BENCH_D1_LATENCY_MS
// (a binding the bench sets), so the latency figures show D1 across a network. The deployed
// Worker's bundle stays as it is.
import app, { ChannelDO as ProductChannelDO } from "../../../worker/index";
import type { Env } from "../../../worker/env";

// The bridge's Durable Objects, as deployed (wrangler.toml binds them); the bench never calls them.
export { BridgeContainer, BridgeHubDO } from "../../../worker/index";
import { delayedD1 } from "./d1-latency";
import { wrappedEnv } from "./wrapped-env";

const latencyMs = (env: Env) => Number((env as unknown as { BENCH_D1_LATENCY_MS?: string }).BENCH_D1_LATENCY_MS ?? 0);
const delayedEnv = wrappedEnv((db, env) => delayedD1(db, latencyMs(env)));

export class ChannelDO extends ProductChannelDO {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, delayedEnv(env));
  }
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return app.fetch(request, delayedEnv(env), ctx);
  },
};
