/** Builds the admin UI into admin-ui/dist; returns the output sizes in bytes by file. */
export function buildAdminUi(options?: { quiet?: boolean }): Promise<Record<string, number>>;
