// Workspace config as a form sees it: fields are named by path ("prefix", "speech.voice" for
// `config.speech.voice`), shown as strings, and written back typed, keeping keys the form does
// not show.
import type { BackendField } from "../../lib/types";

/** The stored value at a dotted path, as text for an input ("" when absent). */
export function readField(config: Record<string, unknown>, name: string): string {
  let value: unknown = config;
  for (const key of name.split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null || typeof value === "object" ? "" : String(value);
}

/**
 * The config to store: `stored` with every edited field set (typed) or removed (empty), and with
 * the fields of a backend the workspace no longer uses dropped.
 */
export function buildConfig(
  stored: Record<string, unknown>,
  fields: BackendField[],
  edits: Record<string, string>,
  droppedFields: BackendField[] = [],
): Record<string, unknown> {
  const config = structuredClone(stored);
  for (const field of droppedFields) setPath(config, field.name, undefined);
  for (const field of fields.filter((item) => !item.secret && item.name in edits)) {
    const raw = edits[field.name]!;
    // Free text is kept as typed (a reply prefix may end in a space); URLs and numbers are trimmed.
    const value = raw.trim() === "" ? undefined : field.type === "number" ? Number(raw) : field.type === "url" ? raw.trim() : raw;
    setPath(config, field.name, value);
  }
  return config;
}

function setPath(config: Record<string, unknown>, name: string, value: unknown): void {
  const keys = name.split(".");
  const last = keys.pop()!;
  const parents: [Record<string, unknown>, string][] = [];
  let node = config;
  for (const key of keys) {
    if (typeof node[key] !== "object" || node[key] === null) {
      if (value === undefined) return;
      node[key] = {};
    }
    parents.push([node, key]);
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
  // Drop objects the removal left empty (`speech: {}`).
  for (const [parent, key] of parents.reverse()) {
    if (Object.keys(parent[key] as object).length === 0) delete parent[key];
  }
}
