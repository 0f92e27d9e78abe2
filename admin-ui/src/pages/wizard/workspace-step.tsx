// Wizard step 2: the workspace (fixed after creation), an optional default thread, a display name.
import { Field } from "../../components/field";
import { Link } from "../../components/link";
import { ErrorBanner } from "../../components/states";
import { api } from "../../lib/api";
import { useResource } from "../../lib/hooks";
import type { Thread, Workspace } from "../../lib/types";

export interface WorkspaceChange {
  workspaceId?: string;
  threadId?: string;
  displayName?: string;
}

export function WorkspaceStep(props: {
  workspaces: Workspace[];
  workspaceId?: string;
  threadId: string;
  displayName: string;
  onChange: (change: WorkspaceChange) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const threads = useResource(
    () => (props.workspaceId ? api.get<{ threads: Thread[] }>(`/workspaces/${props.workspaceId}/threads`).then((body) => body.threads) : Promise.resolve([])),
    [props.workspaceId],
  );
  const shared = (threads.data ?? []).filter((thread) => thread.kind === "shared");
  if (props.workspaces.length === 0) {
    return (
      <p>
        There is no workspace yet. <Link href="/workspaces/new">Create a workspace</Link> first.
      </p>
    );
  }
  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onNext();
      }}
    >
      <Field label="Workspace" help="The AI target messages go to. It cannot be changed after the channel is created.">
        {(control) => (
          <select {...control} value={props.workspaceId} onChange={(event) => props.onChange({ workspaceId: event.currentTarget.value })}>
            {props.workspaces.map((workspace) => (
              <option value={workspace.id}>{workspace.name}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Default thread (optional)" help="With a default thread, new messages land in it until a user starts their own with /new.">
        {(control) => (
          <select {...control} value={props.threadId} onChange={(event) => props.onChange({ threadId: event.currentTarget.value })} disabled={threads.loading}>
            <option value="">None — every chat gets its own threads</option>
            {shared.map((thread) => (
              <option value={thread.id}>{thread.title}</option>
            ))}
          </select>
        )}
      </Field>
      {threads.error && <ErrorBanner error={threads.error} onRetry={threads.reload} />}
      <Field label="Display name (optional)" help="Shown in this admin UI, e.g. “Support bot”. Defaults to the account name.">
        {(control) => (
          <input {...control} type="text" maxLength={80} value={props.displayName} onInput={(event) => props.onChange({ displayName: event.currentTarget.value })} />
        )}
      </Field>
      <div class="form-actions">
        <button type="button" class="button" onClick={props.onBack}>
          Back
        </button>
        <button type="submit" class="button button-primary" disabled={!props.workspaceId}>
          Next
        </button>
      </div>
    </form>
  );
}
