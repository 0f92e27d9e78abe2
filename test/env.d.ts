// Bindings the test configuration adds on top of the Worker's own, and the main module's shape.
import type { D1Migration } from "cloudflare:test";
import type { Env as WorkerEnv } from "../worker/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Control endpoints of the fake provider APIs (records, fault injection). */
      FAKES_BASE: string;
      /** Cases per provider for the parser fuzz suite. */
      FUZZ_CASES?: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../worker/index");
      durableNamespaces: "ChannelDO";
    }
  }
}
