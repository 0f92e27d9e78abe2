// "Test connection" for a workspace: asks its backend for real — the backend's own check when it
// has one, otherwise one turn with the message "ping" — without creating threads or messages.
import { getBackend } from "../backends/registry";
import type { BackendEnv } from "../backends/types";
import { backendWorkspaceOf } from "../core/credentials";
import { deadline } from "../core/deadline";
import type { WorkspaceRow } from "../db/workspaces";
import { ApiError } from "../http/errors";

/** Longer than this and the test reports the backend as not answering. */
export const WORKSPACE_TEST_TIMEOUT_MS = 20_000;

export interface WorkspaceTestResult {
  ok: true;
  /** The backend's answer to "ping" (null when the backend ran its own check instead). */
  reply: string | null;
  latencyMs: number;
}

export async function testWorkspace(env: BackendEnv & { ENCRYPTION_KEY?: string }, row: WorkspaceRow): Promise<WorkspaceTestResult> {
  const backend = getBackend(row.backend);
  const workspace = await backendWorkspaceOf(env.ENCRYPTION_KEY!, row);
  const started = Date.now();
  const limit = deadline(WORKSPACE_TEST_TIMEOUT_MS);
  try {
    if (backend.test) {
      await backend.test(workspace, env);
      return { ok: true, reply: null, latencyMs: Date.now() - started };
    }
    const answer = await backend.send(
      {
        workspace,
        thread: { id: `connection-test:${row.id}`, title: "Connection test", backendRef: null },
        message: "ping",
        sender: { id: "switchboard-admin", displayName: "Switchboard admin" },
        channel: { id: "connection-test", provider: "admin" },
        history: [],
      },
      { env, signal: limit.signal },
    );
    return { ok: true, reply: answer.text.slice(0, 500), latencyMs: Date.now() - started };
  } catch (error) {
    const reason = limit.signal.aborted ? `no answer within ${WORKSPACE_TEST_TIMEOUT_MS / 1000} s` : (error as Error).message;
    throw new ApiError(502, `the ${backend.label} backend did not answer: ${reason}`, { latencyMs: Date.now() - started });
  } finally {
    limit.clear();
  }
}
