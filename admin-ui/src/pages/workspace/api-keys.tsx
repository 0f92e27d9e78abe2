// The workspace's push-API keys: create one (its secret is shown once, here), see when each was
// last used, revoke. Agents and alerting systems use them to post into threads (docs/api.md).
import { useState } from "preact/hooks";
import { ConfirmButton } from "../../components/confirm-button";
import { CopyButton } from "../../components/copy-button";
import { Field } from "../../components/field";
import { EmptyState, ErrorBanner, ListStates, Notice, TableHead } from "../../components/states";
import { Time } from "../../components/time";
import { api } from "../../lib/api";
import { useAction, useResource } from "../../lib/hooks";
import type { ApiKey, Workspace } from "../../lib/types";

export function WorkspaceApiKeys({ workspace }: { workspace: Workspace }) {
  const keys = useResource(() => api.get<{ apiKeys: ApiKey[] }>(`/workspaces/${workspace.id}/api-keys`).then((body) => body.apiKeys), [workspace.id]);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const body = await api.post<{ apiKey: ApiKey & { key: string } }>(`/workspaces/${workspace.id}/api-keys`, { name: name.trim() });
      setCreated({ name: body.apiKey.name, key: body.apiKey.key });
      setName("");
      await keys.reload();
    });
  };
  const revoke = (key: ApiKey) =>
    action.run(async () => {
      await api.delete(`/workspaces/${workspace.id}/api-keys/${key.id}`);
      await keys.reload();
    });
  return (
    <section class="card" aria-labelledby="api-keys-title">
      <h2 class="card-title" id="api-keys-title">
        Push API keys
      </h2>
      <p class="muted">
        Let an agent or an alerting system post into this workspace's threads: <code>POST /push/v1/threads/&lt;thread id&gt;/messages</code> with{" "}
        <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <form class="inline-form" onSubmit={create}>
        <Field label="New key name" inline>
          {(control) => <input {...control} type="text" maxLength={80} placeholder="e.g. PagerDuty" value={name} onInput={(event) => setName(event.currentTarget.value)} />}
        </Field>
        <button type="submit" class="button" disabled={!name.trim() || action.busy}>
          Create key
        </button>
      </form>
      {created && (
        <Notice>
          <p>Key “{created.name}”: copy it now, it is not shown again.</p>
          <p>
            <code id="new-api-key">{created.key}</code> <CopyButton value={created.key} targetId="new-api-key" label="Copy key" />
          </p>
        </Notice>
      )}
      {action.error && <ErrorBanner error={action.error} />}
      <ListStates
        resource={keys}
        items={keys.data}
        loadingLabel="Loading keys…"
        empty={
          <EmptyState title="No keys yet">
            <p class="muted">Create one for each system that pushes messages, so each can be revoked on its own.</p>
          </EmptyState>
        }
      >
        {(items) => (
          <table class="table responsive-table">
            <TableHead columns={["Name", "Key", "Last used"]} actions />
            <tbody>
              {items.map((key) => (
                <tr key={key.id} data-key-id={key.id}>
                  <td data-label="Name">{key.name}</td>
                  <td data-label="Key">
                    <code>{key.prefix}…</code>
                  </td>
                  <td data-label="Last used">{key.revokedAt ? "Revoked" : key.lastUsedAt ? <Time at={key.lastUsedAt} /> : "Never"}</td>
                  <td data-label="Actions">
                    <div class="actions">
                      {!key.revokedAt && (
                        <ConfirmButton label="Revoke" ariaLabel={`Revoke ${key.name}`} small title={`Revoke “${key.name}”?`} confirmLabel="Revoke key" onConfirm={() => revoke(key)}>
                          <p>Anything still using this key gets 401 from then on.</p>
                        </ConfirmButton>
                      )}
                    </div>
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
