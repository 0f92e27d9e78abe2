// "Test connection": runs the workspace's backend once for real (POST /api/workspaces/:id/test).
import { useState } from "preact/hooks";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import type { Workspace } from "../../lib/types";

interface TestAnswer {
  reply: string | null;
  latencyMs: number;
}

export function WorkspaceTest({ workspace }: { workspace: Workspace }) {
  const [answer, setAnswer] = useState<TestAnswer>();
  const test = useAction();
  const run = () =>
    test.run(async () => {
      setAnswer(undefined);
      setAnswer(await api.post<TestAnswer>(`/workspaces/${workspace.id}/test`));
    });
  return (
    <section class="card" aria-labelledby="workspace-test-title">
      <h2 class="card-title" id="workspace-test-title">
        Connection
      </h2>
      <p class="muted">Sends “ping” to the saved backend settings, the way a chat message would, without creating a thread.</p>
      <div class="test-row">
        <button type="button" class="button" disabled={test.busy} onClick={run}>
          {test.busy ? "Testing…" : "Test connection"}
        </button>
        <div aria-live="polite" class="test-result">
          {answer && (
            <span class="ok-text" data-test-result="ok">
              ✓ The backend answered in {answer.latencyMs} ms{answer.reply !== null && <>: “{answer.reply}”</>}
            </span>
          )}
          {test.error && (
            <span class="error-text" role="alert" data-test-result="failed">
              ✗ {test.error}
            </span>
          )}
        </div>
      </div>
    </section>
  );
}
