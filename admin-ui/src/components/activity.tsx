// Activity over the last 24 hours or 7 days (GET /api/stats): the numbers an operator looks at
// first, and small charts of how they moved. For every channel together (the overview) or one.
import type { ComponentChildren } from "preact";
import { api } from "../lib/api";
import { dayAndHour, duration } from "../lib/format";
import { useResource } from "../lib/hooks";
import type { Stats, StatsTotals, StatsWindow } from "../lib/types";
import { BarChart, LineChart } from "./chart";
import { ErrorBanner, Loading } from "./states";

/** Stats are written when a channel flushes its logs (every pass): a gentle refresh is enough. */
const STATS_POLL_MS = 15_000;

export function useStats(window: StatsWindow, channelId?: string) {
  return useResource(
    () => api.get<Stats>(`/stats?${new URLSearchParams({ window, ...(channelId ? { channelId } : {}) })}`),
    [window, channelId],
    { pollMs: STATS_POLL_MS },
  );
}

export function WindowSwitch({ value, onChange }: { value: StatsWindow; onChange: (value: StatsWindow) => void }) {
  return (
    <div class="window-switch" role="group" aria-label="Time range">
      {(["24h", "7d"] as const).map((option) => (
        <button type="button" aria-pressed={value === option} onClick={() => onChange(option)}>
          {option === "24h" ? "24 hours" : "7 days"}
        </button>
      ))}
    </div>
  );
}

export function StatCards({ totals, pendingLink }: { totals: StatsTotals; pendingLink?: ComponentChildren }) {
  const latency = totals.p50 === null ? "—" : `${duration(totals.p50)} / ${duration(totals.p95 ?? totals.p50)}`;
  return (
    <dl class="stat-cards">
      <div class="stat-card" data-stat="messages-in">
        <dt>Messages in</dt>
        <dd>{totals.messagesIn}</dd>
      </div>
      <div class="stat-card" data-stat="messages-out">
        <dt>Messages out</dt>
        <dd>{totals.messagesOut}</dd>
      </div>
      <div class="stat-card" data-stat="active-users">
        <dt>Active users</dt>
        <dd>{totals.activeUsers}</dd>
      </div>
      <div class={totals.pendingPairing > 0 ? "stat-card stat-card-alert" : "stat-card"} data-stat="pending-pairing">
        <dt>Pending pairing</dt>
        <dd>
          {totals.pendingPairing}
          {pendingLink}
        </dd>
      </div>
      <div class={totals.errors > 0 ? "stat-card stat-card-error" : "stat-card"} data-stat="errors">
        <dt>Errors</dt>
        <dd>{totals.errors}</dd>
      </div>
      <div class="stat-card" data-stat="latency">
        <dt>Reply p50 / p95</dt>
        <dd>{latency}</dd>
      </div>
    </dl>
  );
}

export function ActivityCharts({ stats }: { stats: Pick<Stats, "series" | "stepMs" | "window"> & { totals: StatsTotals } }) {
  const labels = stats.series.map((point) => dayAndHour(point.at, stats.window === "24h"));
  const span = stats.window === "24h" ? "in the last 24 hours" : "in the last 7 days";
  const { totals } = stats;
  return (
    <div class="charts">
      <BarChart
        title="Messages"
        labels={labels}
        summary={`${totals.messagesIn} in and ${totals.messagesOut} out ${span}`}
        series={[
          { label: "In", tone: 1, values: stats.series.map((point) => point.messagesIn) },
          { label: "Out", tone: 2, values: stats.series.map((point) => point.messagesOut) },
        ]}
      />
      <BarChart
        title="Active users"
        labels={labels}
        summary={`${totals.activeUsers} distinct users ${span}`}
        series={[{ label: stats.stepMs > 3_600_000 ? "Users per hour, added up" : "Users", tone: 1, values: stats.series.map((point) => point.activeUsers) }]}
      />
      <LineChart
        title="Reply latency"
        labels={labels}
        format={duration}
        summary={totals.p50 === null ? `no replies ${span}` : `median ${duration(totals.p50)}, 95th percentile ${duration(totals.p95 ?? totals.p50)} ${span}`}
        series={[
          { label: "p50", tone: 1, values: stats.series.map((point) => point.p50) },
          { label: "p95", tone: 3, values: stats.series.map((point) => point.p95) },
        ]}
      />
      <BarChart
        title="Errors and pairing requests"
        labels={labels}
        summary={`${totals.errors} errors and ${totals.pairingRequests} pairing requests ${span}`}
        series={[
          { label: "Errors", tone: 3, values: stats.series.map((point) => point.errors) },
          { label: "Pairing requests", tone: 1, values: stats.series.map((point) => point.pairingRequests) },
        ]}
      />
    </div>
  );
}

/** One channel's activity (the channel page's Activity tab). */
export function ChannelActivity({ channelId, window, onWindow }: { channelId: string; window: StatsWindow; onWindow: (value: StatsWindow) => void }) {
  const stats = useStats(window, channelId);
  const own = stats.data?.channels[0];
  return (
    <div class="stack">
      <div class="section-row">
        <h2 class="section-title">Activity</h2>
        <WindowSwitch value={window} onChange={onWindow} />
      </div>
      {stats.error && <ErrorBanner error={stats.error} onRetry={stats.reload} />}
      {!stats.data && !stats.error && <Loading label="Loading activity…" />}
      {stats.data && own && (
        <>
          <StatCards totals={own.totals} />
          <ActivityCharts stats={{ series: own.series, stepMs: stats.data.stepMs, window: stats.data.window, totals: own.totals }} />
        </>
      )}
    </div>
  );
}
