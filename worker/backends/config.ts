// Reading a workspace's backend settings. Config is free-form JSON edited in the admin UI, so
// each backend validates it with zod when it runs and says which field is wrong.
import * as z from "zod";
import { BackendError } from "./types";

/** An http(s) URL, trimmed. */
export const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^/]/i.test(value) && URL.canParse(value), { message: "must be an http:// or https:// URL" });

/** A positive whole number that may arrive as a string from a form; empty means "not set". */
export const optionalCount = z.preprocess(
  (value) => (value === "" || value === null ? undefined : typeof value === "string" ? Number(value) : value),
  z.number().int().positive().optional(),
);

/** A string setting where an empty string means "not set". */
export const optionalText = z.preprocess((value) => (value === "" || value === null ? undefined : value), z.string().optional());

/** The value at a dotted path of a workspace config ("speech.baseUrl"). */
export function configValue(config: Record<string, unknown>, name: string): unknown {
  let value: unknown = config;
  for (const key of name.split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/**
 * The first URL field of `fields` whose value in `config` is set but not an http(s) URL, as a
 * message naming the field by its label; null when all are fine. Checked when a workspace is
 * saved, so "api.example.com/v1" is refused then rather than failing at the first message.
 */
export function urlFieldProblem(fields: readonly { name: string; label: string; type: string }[], config: Record<string, unknown>): string | null {
  for (const field of fields.filter((item) => item.type === "url")) {
    const value = configValue(config, field.name);
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" || !httpUrl.safeParse(value).success) {
      const text = String(value);
      const suggestion = /^[\w.-]+\.[a-z]{2,}|^localhost|^\d+\.\d+/i.test(text) ? ` (did you mean https://${text}?)` : "";
      return `${field.label}: must start with http:// or https://${suggestion}`;
    }
  }
  return null;
}

/** Validates `config` for the backend named `label`; a bad field becomes a BackendError. */
export function parseConfig<T>(schema: z.ZodType<T>, config: unknown, label: string): T {
  const parsed = schema.safeParse(config ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ");
  throw new BackendError(`${label} settings are incomplete or invalid: ${problems}`);
}

/** A secret value as a non-empty string, or undefined. */
export function secretString(secrets: Record<string, unknown>, name: string): string | undefined {
  const value = secrets[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
