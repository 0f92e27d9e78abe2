// The threads of a workspace: personal ones (one per chat) and shared ones a channel can bind as
// its default thread. Shared threads are created here; each opens to its messages, and its id
// (what the push API takes) can be copied.
import { useState } from "preact/hooks";
import { CopyButton } from "../../components/copy-button";
import { Field } from "../../components/field";
import { Link } from "../../components/link";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../../components/states";
import { Time } from "../../components/time";
import { api } from "../../lib/api";
import { useAction, useResource } from "../../lib/hooks";
import type { Thread, Workspace } from "../../lib/types";

export function WorkspaceThreads({ workspace }: { workspace: Workspace }) {
  const threads = useResource(() => api.get<{ threads: Thread[] }>(`/workspaces/${workspace.id}/threads`).then((body) => body.threads), [workspace.id]);
  const [title, setTitle] = useState("");
  const create = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void create.run(async () => {
      await api.post(`/workspaces/${workspace.id}/threads`, { title: title.trim() });
      setTitle("");
      await threads.reload();
    });
  };
  return (
    <section class="card" aria-labelledby="threads-title">
      <h2 class="card-title" id="threads-title">
        Threads
      </h2>
      <form class="inline-form" onSubmit={submit}>
        <Field label="New shared thread" inline>
          {(control) => <input {...control} type="text" maxLength={80} placeholder="e.g. Support inbox" value={title} onInput={(event) => setTitle(event.currentTarget.value)} />}
        </Field>
        <button type="submit" class="button" disabled={!title.trim() || create.busy}>
          Create thread
        </button>
      </form>
      {create.error && <ErrorBanner error={create.error} />}
      <ListStates
        resource={threads}
        items={threads.data}
        loadingLabel="Loading threads…"
        empty={
          <EmptyState title="No threads yet">
            <p class="muted">Each chat gets its own threads when it first writes; shared threads can be bound to a channel as its default.</p>
          </EmptyState>
        }
      >
        {(items) => (
          <table class="table responsive-table">
            <TableHead columns={["Title", "Thread id", "Kind", "Last message"]} />
            <tbody>
              {items.map((thread) => (
                <tr key={thread.id} data-thread-id={thread.id}>
                  <td data-label="Title">
                    <Link href={`/workspaces/${workspace.id}/threads/${thread.id}`}>{thread.title}</Link>
                  </td>
                  <td data-label="Thread id">
                    <span class="id-cell">
                      <code id={`thread-id-${thread.id}`}>{thread.id}</code>
                      <CopyButton value={thread.id} targetId={`thread-id-${thread.id}`} label="Copy id" ariaLabel={`Copy the id of ${thread.title}`} />
                    </span>
                  </td>
                  <td data-label="Kind">{thread.kind === "shared" ? "Shared" : "Personal"}</td>
                  <td data-label="Last message">
                    <Time at={thread.lastMessageAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListStates>
    </section>
  );
}
