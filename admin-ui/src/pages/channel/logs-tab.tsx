// Logs: the channel's decisions, newest first, filtered by level; every dropped message carries
// its reason. Older entries load page by page.
import { useState } from "preact/hooks";
import { Field } from "../../components/field";
import { EmptyState, ErrorBanner, ListStates } from "../../components/states";
import { api } from "../../lib/api";
import { dateTime, timeOfDay } from "../../lib/format";
import { useAction, useResource } from "../../lib/hooks";
import type { Channel, LogEntry } from "../../lib/types";

const PAGE_SIZE = 100;

export function LogsTab({ channel }: { channel: Channel }) {
  const [level, setLevel] = useState("");
  const [older, setOlder] = useState<LogEntry[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const query = (before?: number) => new URLSearchParams({ limit: String(PAGE_SIZE), ...(level ? { level } : {}), ...(before ? { before: String(before) } : {}) });
  const logs = useResource(
    () => {
      setOlder([]);
      return api.get<{ logs: LogEntry[] }>(`/channels/${channel.id}/logs?${query()}`).then((body) => {
        setExhausted(body.logs.length < PAGE_SIZE);
        return body.logs;
      });
    },
    [channel.id, level],
  );
  const more = useAction();
  const entries = [...(logs.data ?? []), ...older];
  const loadOlder = () =>
    more.run(async () => {
      const last = entries[entries.length - 1];
      const body = await api.get<{ logs: LogEntry[] }>(`/channels/${channel.id}/logs?${query(last?.id)}`);
      setOlder([...older, ...body.logs]);
      setExhausted(body.logs.length < PAGE_SIZE);
    });

  return (
    <div class="stack">
      <div class="filters">
        <Field label="Level" inline>
          {(control) => (
            <select {...control} value={level} onChange={(event) => setLevel(event.currentTarget.value)}>
              <option value="">All levels</option>
              <option value="info">Info</option>
              <option value="warn">Warnings</option>
              <option value="error">Errors</option>
            </select>
          )}
        </Field>
        <button type="button" class="button" onClick={logs.reload}>
          Refresh
        </button>
      </div>
      <ListStates resource={logs} items={entries} loadingLabel="Loading logs…" empty={<EmptyState title={level ? `No ${level} entries` : "No log entries yet"} />}>
        {(items) => (
          <ol class="log-list" aria-label="Log entries, newest first">
            {items.map((entry) => (
              <li class={`log log-${entry.level}`} key={entry.id} data-log-event={entry.event}>
                <time class="log-time" dateTime={new Date(entry.createdAt).toISOString()} title={dateTime(entry.createdAt)}>
                  {timeOfDay(entry.createdAt)}
                </time>
                <span class={`pill pill-log-${entry.level}`}>{entry.level}</span>
                <span class="log-body">
                  <span class="log-message">{entry.message}</span>
                  <span class="log-meta">
                    <code>{entry.event}</code>
                    {entry.detail &&
                      Object.entries(entry.detail).map(([key, value]) => (
                        <span class="log-detail">
                          {key}: {typeof value === "string" ? value : JSON.stringify(value)}
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
