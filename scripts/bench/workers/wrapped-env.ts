// The bench's own builds hand the unmodified Worker and ChannelDO an env whose D1 binding is
// wrapped. One wrapped env per real env, so the product's per-binding caches still hold.
import type { Env } from "../../../worker/env";

export function wrappedEnv(wrapDb: (db: D1Database, env: Env) => D1Database): (env: Env) => Env {
  const wrapped = new WeakMap<object, Env>();
  return (env) => {
    let result = wrapped.get(env);
    if (!result) {
      result = { ...env, DB: wrapDb(env.DB, env) };
      wrapped.set(env, result);
    }
    return result;
  };
}
