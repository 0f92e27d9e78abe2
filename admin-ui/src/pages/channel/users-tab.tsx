// Users: who wrote to the channel, with search and state filter; disable / re-enable; remove.
import { useState } from "preact/hooks";
import { ConfirmButton } from "../../components/confirm-button";
import { Field } from "../../components/field";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../../components/states";
import { Time } from "../../components/time";
import { api } from "../../lib/api";
import { useAction, useDebounced, useResource } from "../../lib/hooks";
import type { Channel, ChannelUser } from "../../lib/types";

const STATES = [
  { value: "", label: "All users" },
  { value: "approved", label: "Approved" },
  { value: "disabled", label: "Disabled" },
  { value: "pending", label: "Waiting for approval" },
];

export function UsersTab({ channel }: { channel: Channel }) {
  const [search, setSearch] = useState("");
  const [state, setState] = useState("");
  const query = useDebounced(search.trim(), 250);
  const users = useResource(
    () => {
      const params = new URLSearchParams({ ...(query ? { q: query } : {}), ...(state ? { state } : {}) });
      return api.get<{ users: ChannelUser[] }>(`/channels/${channel.id}/users?${params}`).then((body) => body.users);
    },
    [channel.id, query, state],
  );
  const action = useAction();

  const setDisabled = (user: ChannelUser, disabled: boolean) =>
    action.run(async () => {
      await api.patch(`/channels/${channel.id}/users/${user.id}`, { disabled });
      await users.reload();
    });
  const approve = (user: ChannelUser) =>
    action.run(async () => {
      await api.post(`/channels/${channel.id}/users/${user.id}/approve`);
      await users.reload();
    });
  const remove = (user: ChannelUser) =>
    action.run(async () => {
      await api.delete(`/channels/${channel.id}/users/${user.id}`);
      await users.reload();
    });

  return (
    <div class="stack">
      <div class="filters" role="search">
        <Field label="Search" inline>
          {(control) => <input {...control} type="search" placeholder="Name, @username or id" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />}
        </Field>
        <Field label="Show" inline>
          {(control) => (
            <select {...control} value={state} onChange={(event) => setState(event.currentTarget.value)}>
              {STATES.map((item) => (
                <option value={item.value}>{item.label}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {action.error && <ErrorBanner error={action.error} />}
      <ListStates
        resource={users}
        items={users.data}
        loadingLabel="Loading users…"
        empty={
          <EmptyState title={query || state ? "No users match" : "No users yet"}>
            {!query && !state && <p class="muted">Users appear here once they write to the bot.</p>}
          </EmptyState>
        }
      >
        {(items) => (
          <table class="table responsive-table">
            <TableHead columns={["User", "State", "Last seen"]} actions />
            <tbody>
              {items.map((user) => {
                const name = user.displayName ?? (user.username ? `@${user.username}` : user.providerUserId);
                return (
                  <tr key={user.id} data-user-id={user.id}>
                    <td data-label="User">
                      <strong>{name}</strong>
                      {user.username && <span class="muted small block">@{user.username}</span>}
                      <span class="muted small block">id {user.providerUserId}</span>
                    </td>
                    <td data-label="State">
                      <span class={`pill pill-${user.state}`} data-user-state={user.state}>
                        {user.state === "pending" ? "Waiting" : user.state === "approved" ? "Approved" : "Disabled"}
                      </span>
                      {user.state === "pending" && <span class="muted small block">Wrote to the bot but is not approved: approve here, or see Pairing Codes.</span>}
                    </td>
                    <td data-label="Last seen">
                      <Time at={user.lastSeenAt} />
                    </td>
                    <td data-label="Actions">
                      <div class="actions">
                        {user.state === "pending" && (
                          <button type="button" class="button button-primary button-small" disabled={action.busy} onClick={() => approve(user)} aria-label={`Approve ${name}`}>
                            Approve
                          </button>
                        )}
                        {user.state === "approved" && (
                          <button type="button" class="button button-small" disabled={action.busy} onClick={() => setDisabled(user, true)} aria-label={`Disable ${name}`}>
                            Disable
                          </button>
                        )}
                        {user.state === "disabled" && (
                          <button type="button" class="button button-small" disabled={action.busy} onClick={() => setDisabled(user, false)} aria-label={`Enable ${name}`}>
                            Enable
                          </button>
                        )}
                        <ConfirmButton label="Remove" ariaLabel={`Remove ${name}`} small title={`Remove ${name}?`} confirmLabel="Remove user" onConfirm={() => remove(user)}>
                          <p>They lose access and must pair again. Their threads stay in the workspace.</p>
                        </ConfirmButton>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ListStates>
    </div>
  );
}
