// Workspaces: the AI targets channels talk to, with their backend and how many channels use them.
import { ConfirmButton } from "../components/confirm-button";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../components/states";
import { api } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import type { Backend, Channel, Workspace } from "../lib/types";

export function WorkspacesPage() {
  const data = useResource(
    () =>
      Promise.all([
        api.get<{ workspaces: Workspace[] }>("/workspaces").then((body) => body.workspaces),
        api.get<{ backends: Backend[] }>("/backends").then((body) => body.backends),
        api.get<{ channels: Channel[] }>("/channels").then((body) => body.channels),
      ]),
    [],
  );
  const remove = useAction();
  const [workspaces, backends, channels] = data.data ?? [[], [], []];
  const backendLabel = (kind: string) => backends.find((backend) => backend.kind === kind)?.label ?? kind;
  const channelCount = (id: string) => channels.filter((channel) => channel.workspaceId === id).length;

  return (
    <>
      <PageHeader title="Workspaces">
        <Link href="/workspaces/new" class="button button-primary">
          New workspace
        </Link>
      </PageHeader>
      {remove.error && <ErrorBanner error={remove.error} />}
      <ListStates
        resource={data}
        items={data.data && workspaces}
        loadingLabel="Loading workspaces…"
        empty={
          <EmptyState title="No workspaces">
            <Link href="/workspaces/new" class="button button-primary">
              Create a workspace
            </Link>
          </EmptyState>
        }
      >
        {(items) => (
          <table class="table responsive-table">
            <TableHead columns={["Name", "Backend", "Agents", "Channels"]} actions />
            <tbody>
              {items.map((workspace) => {
                const used = channelCount(workspace.id);
                return (
                  <tr key={workspace.id} data-workspace-id={workspace.id}>
                    <td data-label="Name">
                      <Link href={`/workspaces/${workspace.id}`} class="strong-link">
                        {workspace.name}
                      </Link>
                      {workspace.isDefault && <span class="pill pill-neutral">Default</span>}
                    </td>
                    <td data-label="Backend">{backendLabel(workspace.backend)}</td>
                    <td data-label="Agents">{workspace.agents.length > 0 ? workspace.agents.map((agent) => `@${agent}`).join(", ") : <span class="muted">—</span>}</td>
                    <td data-label="Channels">{used}</td>
                    <td data-label="Actions">
                      <div class="actions">
                        <Link href={`/workspaces/${workspace.id}`} class="button button-small" aria-label={`Edit ${workspace.name}`}>
                          Edit
                        </Link>
                        <ConfirmButton
                          label="Delete"
                          ariaLabel={`Delete ${workspace.name}`}
                          small
                          disabled={used > 0}
                          title={`Delete ${workspace.name}?`}
                          confirmLabel="Delete workspace"
                          onConfirm={() =>
                            remove.run(async () => {
                              await api.delete(`/workspaces/${workspace.id}`);
                              await data.reload();
                            })
                          }
                        >
                          <p>The workspace and its settings are removed.</p>
                        </ConfirmButton>
                      </div>
                      {used > 0 && <span class="muted small block">In use by channels: delete them first to delete it.</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ListStates>
    </>
  );
}
