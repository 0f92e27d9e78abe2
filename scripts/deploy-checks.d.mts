export function placeholderDatabaseProblem(toml: string): string | null;
