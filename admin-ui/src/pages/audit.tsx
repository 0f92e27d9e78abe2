// The audit log: what admins did through the API — who (a UI session or the API token), what,
// to which channel, user or workspace, and when — newest first, filtered by channel.
import { useState } from "preact/hooks";
import { channelName } from "../components/channel-actions";
import { Field } from "../components/field";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../components/states";
import { api } from "../lib/api";
import { dateTime } from "../lib/format";
import { useAction, useResource } from "../lib/hooks";
import type { AuditEntry, Channel, Workspace } from "../lib/types";

const PAGE_SIZE = 100;

export function AuditPage() {
  const [channelId, setChannelId] = useState("");
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const names = useResource(
    () => Promise.all([api.get<{ channels: Channel[] }>("/channels").then((body) => body.channels), api.get<{ workspaces: Workspace[] }>("/workspaces").then((body) => body.workspaces)]),
    [],
  );
  const query = (before?: number) => new URLSearchParams({ limit: String(PAGE_SIZE), ...(channelId ? { channelId } : {}), ...(before ? { before: String(before) } : {}) });
  const entries = useResource(
    () => {
      setOlder([]);
      return api.get<{ entries: AuditEntry[] }>(`/audit?${query()}`).then((body) => {
        setExhausted(body.entries.length < PAGE_SIZE);
        return body.entries;
      });
    },
    [channelId],
    { pollMs: 15_000 },
  );
  const more = useAction();
  const all = [...(entries.data ?? []), ...older];
  const loadOlder = () =>
    more.run(async () => {
      const body = await api.get<{ entries: AuditEntry[] }>(`/audit?${query(all.at(-1)?.id)}`);
      setOlder([...older, ...body.entries]);
      setExhausted(body.entries.length < PAGE_SIZE);
    });
  const channels = new Map((names.data?.[0] ?? []).map((channel) => [channel.id, channel]));
  const workspaces = new Map((names.data?.[1] ?? []).map((workspace) => [workspace.id, workspace]));
  return (
    <>
      <PageHeader title="Audit log" />
      <p class="muted">Every change made through the admin API — in this UI or with the API token — with who made it. Kept like the channel logs: the newest 5,000 entries per channel.</p>
      <div class="filters">
        <Field label="Channel" inline>
          {(control) => (
            <select {...control} value={channelId} onChange={(event) => setChannelId(event.currentTarget.value)}>
              <option value="">All channels and workspaces</option>
              {[...channels.values()].map((channel) => (
                <option value={channel.id}>{channelName(channel)}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ListStates resource={entries} items={all} loadingLabel="Loading the audit log…" empty={<EmptyState title="No admin actions recorded yet" />}>
        {(items) => (
          <table class="table responsive-table">
            <TableHead columns={["When", "Who", "What", "Where"]} />
            <tbody>
              {items.map((entry) => {
                const channel = entry.channelId ? channels.get(entry.channelId) : undefined;
                const workspace = entry.workspaceId ? workspaces.get(entry.workspaceId) : undefined;
                return (
                  <tr key={entry.id} data-audit-action={entry.action}>
                    <td data-label="When">
                      <time dateTime={new Date(entry.at).toISOString()}>{dateTime(entry.at)}</time>
                    </td>
                    <td data-label="Who">{entry.actor.kind === "session" ? <span title="An admin UI login">Session {entry.actor.id}</span> : <span title="Authorization: Bearer ADMIN_TOKEN">API token</span>}</td>
                    <td data-label="What">
                      {entry.summary}
                      <code class="muted small block">{entry.action}</code>
                    </td>
                    <td data-label="Where">
                      {entry.channelId &&
                        (channel ? <Link href={`/channels/${entry.channelId}`}>{channelName(channel)}</Link> : <span class="muted">channel {entry.channelId} (deleted)</span>)}
                      {!entry.channelId && entry.workspaceId &&
                        (workspace ? <Link href={`/workspaces/${entry.workspaceId}`}>{workspace.name}</Link> : <span class="muted">workspace {entry.workspaceId}</span>)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ListStates>
      {more.error && <ErrorBanner error={more.error} />}
      {all.length > 0 && !exhausted && (
        <button type="button" class="button" disabled={more.busy} onClick={loadOlder}>
          {more.busy ? "Loading…" : "Load older entries"}
        </button>
      )}
    </>
  );
}
