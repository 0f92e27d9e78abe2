// JSON errors for the API and webhooks: one shape, `{ error, ...details }`.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type * as z from "zod";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The app's error handler: ApiErrors as given, anything else as a 500 without internals. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return c.json({ error: error.message, ...error.details }, error.status);
  console.error("unhandled error", error.name, error.message);
  return c.json({ error: "internal error" }, 500);
}

/** Reads and validates a JSON body; a malformed or invalid body is a 400 that names the problem. */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, "request body must be JSON");
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.join(".");
    throw new ApiError(400, path ? `${path}: ${issue.message}` : issue.message, {
      issues: result.error.issues.map((item) => ({ path: item.path.join("."), message: item.message })),
    });
  }
  return result.data;
}
