// Logs: the channel's decisions, newest first, filtered by level and text; every dropped message
// carries its reason, every sender their name beside the id. New entries appear by themselves
// (auto-refresh, on by default); older entries load page by page.
import { useState } from "preact/hooks";
import { Field } from "../../components/field";
import { EmptyState, ErrorBanner, ListStates } from "../../components/states";
import { api } from "../../lib/api";
import { dateTime, logStamp } from "../../lib/format";
import { useAction, useDebounced, useResource } from "../../lib/hooks";
import type { Channel, LogEntry } from "../../lib/types";

const PAGE_SIZE = 100;
const AUTO_REFRESH_MS = 5000;

interface LogPage {
  logs: LogEntry[];
  /** Names of the senders the entries mention, by provider user id. */
  users?: Record<string, string>;
}

export function LogsTab({ channel }: { channel: Channel }) {
  const [level, setLevel] = useState("");
  const [search, setSearch] = useState("");
  const [auto, setAuto] = useState(true);
  const q = useDebounced(search.trim(), 300);
  const [older, setOlder] = useState<LogEntry[]>([]);
  const [olderUsers, setOlderUsers] = useState<Record<string, string>>({});
  const [exhausted, setExhausted] = useState(false);
  const query = (before?: number) =>
    new URLSearchParams({ limit: String(PAGE_SIZE), ...(level ? { level } : {}), ...(q ? { q } : {}), ...(before ? { before: String(before) } : {}) });
  // Auto-refresh reads the newest page again; once older pages are open it pauses, so the list
  // does not move under the reader.
  const refreshing = auto && older.length === 0;
  const logs = useResource(
    () =>
      api.get<LogPage>(`/channels/${channel.id}/logs?${query()}`).then((body) => {
        if (older.length === 0) setExhausted(body.logs.length < PAGE_SIZE);
        return body;
      }),
    [channel.id, level, q, refreshing],
    refreshing ? { pollMs: AUTO_REFRESH_MS } : {},
  );
  const more = useAction();
  const entries = [...(logs.data?.logs ?? []), ...older];
  const users = { ...olderUsers, ...(logs.data?.users ?? {}) };
  const loadOlder = () =>
    more.run(async () => {
      const last = entries[entries.length - 1];
      const body = await api.get<LogPage>(`/channels/${channel.id}/logs?${query(last?.id)}`);
      setOlder([...older, ...body.logs]);
      setOlderUsers({ ...olderUsers, ...(body.users ?? {}) });
      setExhausted(body.logs.length < PAGE_SIZE);
    });
  const reset = () => {
    setOlder([]);
    setOlderUsers({});
  };

  return (
    <div class="stack">
      <div class="filters" role="search">
        <Field label="Search logs" inline>
          {(control) => (
            <input {...control} type="search" placeholder="Text, event, user id…" value={search} onInput={(event) => (setSearch(event.currentTarget.value), reset())} />
          )}
        </Field>
        <Field label="Level" inline>
          {(control) => (
            <select {...control} value={level} onChange={(event) => (setLevel(event.currentTarget.value), reset())}>
              <option value="">All levels</option>
              <option value="info">Info</option>
              <option value="warn">Warnings</option>
              <option value="error">Errors</option>
            </select>
          )}
        </Field>
        <label class="choice choice-inline">
          <input type="checkbox" checked={auto} onChange={(event) => setAuto(event.currentTarget.checked)} />
          <span>Auto-refresh</span>
        </label>
        <button type="button" class="button" onClick={() => (reset(), logs.reload())}>
          Refresh
        </button>
      </div>
      <ListStates
        resource={logs}
        items={entries}
        loadingLabel="Loading logs…"
        empty={<EmptyState title={q ? `No entries match “${q}”` : level ? `No ${level} entries` : "No log entries yet"} />}
      >
        {(items) => (
          <ol class="log-list" aria-label="Log entries, newest first">
            {items.map((entry) => (
              <li class={`log log-${entry.level}`} key={entry.id} data-log-event={entry.event}>
                <time class="log-time" dateTime={new Date(entry.createdAt).toISOString()} title={dateTime(entry.createdAt)}>
                  {logStamp(entry.createdAt)}
                </time>
                <span class={`pill pill-log-${entry.level}`}>{entry.level}</span>
                <span class="log-body">
                  <span class="log-message">{entry.message}</span>
                  <span class="log-meta">
                    <code>{entry.event}</code>
                    {entry.detail &&
                      Object.entries(entry.detail).map(([key, value]) => (
                        <span class="log-detail" data-log-detail={key}>
                          {key}: {typeof value === "string" ? value : JSON.stringify(value)}
                          {key === "sender" && typeof value === "string" && users[value] && <strong class="log-user"> ({users[value]})</strong>}
                        </span>
                      ))}
                  </span>
                </span>
              </li>
            ))}
          </ol>
        )}
      </ListStates>
      {more.error && <ErrorBanner error={more.error} />}
      {entries.length > 0 && !exhausted && (
        <button type="button" class="button" disabled={more.busy} onClick={loadOlder}>
          {more.busy ? "Loading…" : "Load older entries"}
        </button>
      )}
    </div>
  );
}
