// The home page: what is happening across every channel — messages in and out, active users,
// pending pairing requests, errors and reply latency over 24 hours or 7 days — and each channel's
// share, with what waits for an admin linked.
import { useState } from "preact/hooks";
import { ActivityCharts, StatCards, useStats, WindowSwitch } from "../components/activity";
import { channelName } from "../components/channel-actions";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { ProviderIcon } from "../components/provider-icon";
import { EmptyState, ErrorBanner, Loading, TableHead } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { api } from "../lib/api";
import { duration } from "../lib/format";
import { useResource } from "../lib/hooks";
import type { Channel, StatsWindow } from "../lib/types";

export function OverviewPage() {
  const [window, setWindow] = useState<StatsWindow>("24h");
  const stats = useStats(window);
  const channels = useResource(() => api.get<{ channels: Channel[] }>("/channels").then((body) => body.channels), [], { pollMs: 15_000 });
  const byId = new Map((channels.data ?? []).map((channel) => [channel.id, channel]));
  const firstPending = stats.data?.channels.find((item) => item.totals.pendingPairing > 0);
  return (
    <>
      <PageHeader title="Overview">
        <WindowSwitch value={window} onChange={setWindow} />
      </PageHeader>
      {stats.error && <ErrorBanner error={stats.error} onRetry={stats.reload} />}
      {!stats.data && !stats.error && <Loading label="Loading activity…" />}
      {channels.data?.length === 0 && (
        <EmptyState title="No channels yet">
          <p>A channel connects a messaging app account (a Telegram bot, …) to a workspace. Its activity shows here.</p>
          <Link href="/channels/new" class="button button-primary">
            Add your first channel
          </Link>
        </EmptyState>
      )}
      {stats.data && (channels.data?.length ?? 1) > 0 && (
        <>
          <StatCards
            totals={stats.data.total}
            pendingLink={
              firstPending && (
                <Link href={`/channels/${firstPending.channelId}/pairing`} class="count-badge">
                  Review
                </Link>
              )
            }
          />
          <ActivityCharts stats={{ ...stats.data, totals: stats.data.total }} />
          <section aria-labelledby="per-channel-title" class="stack">
            <h2 id="per-channel-title" class="section-title">
              By channel
            </h2>
            <table class="table responsive-table">
              <TableHead columns={["Channel", "Status", "In", "Out", "Users", "Pending", "Errors", "Reply p50 / p95"]} />
              <tbody>
                {stats.data.channels.map(({ channelId, totals }) => {
                  const channel = byId.get(channelId);
                  return (
                    <tr key={channelId} data-channel-id={channelId}>
                      <td data-label="Channel">
                        <span class="channel-cell">
                          {channel && <ProviderIcon provider={channel.provider} label={channel.providerLabel} decorative />}
                          <Link href={`/channels/${channelId}/activity`} class="strong-link">
                            {channel ? channelName(channel) : channelId}
                          </Link>
                        </span>
                      </td>
                      <td data-label="Status">{channel ? <StatusBadge status={channel.status} reason={channel.statusReason} /> : "—"}</td>
                      <td data-label="In">{totals.messagesIn}</td>
                      <td data-label="Out">{totals.messagesOut}</td>
                      <td data-label="Users">{totals.activeUsers}</td>
                      <td data-label="Pending">
                        {totals.pendingPairing > 0 ? (
                          <Link href={`/channels/${channelId}/pairing`} class="count-badge" aria-label={`${totals.pendingPairing} pairing requests waiting`}>
                            {totals.pendingPairing}
                          </Link>
                        ) : (
                          0
                        )}
                      </td>
                      <td data-label="Errors">{totals.errors > 0 ? <Link href={`/channels/${channelId}/logs`}>{totals.errors}</Link> : 0}</td>
                      <td data-label="Reply p50 / p95">{totals.p50 === null ? "—" : `${duration(totals.p50)} / ${duration(totals.p95 ?? totals.p50)}`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          <p class="muted small">
            Counted by each channel as it works and saved hourly with its logs; refreshes by itself. Active users are distinct people who wrote in the period.
          </p>
        </>
      )}
    </>
  );
}
