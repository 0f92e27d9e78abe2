// Builds the admin UI once per test run, before any Worker starts, so the ASSETS binding serves
// the current pages (the same build `wrangler dev` and `wrangler deploy` run).
import { buildAdminUi } from "../scripts/build-admin-ui.mjs";

export default async function setup() {
  await buildAdminUi({ quiet: true });
}
