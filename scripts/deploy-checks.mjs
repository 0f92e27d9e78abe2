// Checks `npm run deploy` makes before calling wrangler (kept apart so the tests can run them).

const PLACEHOLDER_ID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** A message when wrangler.toml still has the placeholder D1 database_id, else null. */
export function placeholderDatabaseProblem(toml) {
  const id = /^\s*database_id\s*=\s*"([^"]*)"/m.exec(toml)?.[1];
  if (id === undefined || (!PLACEHOLDER_ID.test(id) && id.trim() !== "")) return null;
  return (
    "wrangler.toml still has the placeholder D1 database_id, so the deploy would fail half-way.\n" +
    "Create the database and put its id into wrangler.toml ([[d1_databases]] database_id):\n" +
    "  npx wrangler d1 create switchboard"
  );
}
