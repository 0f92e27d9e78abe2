// /api/providers and /api/backends: what can be configured and what each provider can do, so
// forms and the channel pages are built from one source instead of testing provider names.
import { Hono } from "hono";
import { listBackends } from "../../backends/registry";
import { speechFields } from "../../backends/speech";
import type { Env } from "../../env";
import { listProviders, upcomingProviders } from "../../providers/registry";
import { capabilitiesOf } from "../../providers/types";

export const catalogRoutes = new Hono<{ Bindings: Env }>()
  .get("/providers", (c) =>
    c.json({
      providers: [
        ...listProviders().map((adapter) => ({
          id: adapter.id,
          label: adapter.label,
          connection: adapter.connection,
          available: true,
          credentialFields: adapter.credentialFields,
          capabilities: capabilitiesOf(adapter),
        })),
        ...upcomingProviders.map((provider) => ({ ...provider, available: false, credentialFields: [] })),
      ],
    }),
  )
  .get("/backends", (c) =>
    c.json({
      backends: listBackends().map((backend) => ({ kind: backend.kind, label: backend.label, fields: backend.fields })),
      // Voice-reply settings apply to every backend; dotted names live under `config.speech`.
      speechFields,
    }),
  );
