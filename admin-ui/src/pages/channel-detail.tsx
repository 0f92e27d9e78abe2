// One channel: its identity and status (probed from the provider, refreshed by itself), the
// operations, and the tabs Activity / Pairing Codes / Users / Settings / Logs.
import { useState } from "preact/hooks";
import { ChannelActivity } from "../components/activity";
import { channelName, ChannelActions } from "../components/channel-actions";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { LoginPanel } from "../components/login-panel";
import { ProviderIcon } from "../components/provider-icon";
import { SetupGuide } from "../components/setup-guide";
import { ErrorBanner, Loading } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { Tabs } from "../components/tabs";
import { Time } from "../components/time";
import { api, ApiError } from "../lib/api";
import { useResource } from "../lib/hooks";
import { navigate } from "../lib/router";
import type { Channel, StatsWindow } from "../lib/types";
import type { ChannelTab } from "../routes";
import { LogsTab } from "./channel/logs-tab";
import { PairingTab } from "./channel/pairing-tab";
import { SettingsTab } from "./channel/settings-tab";
import { UsersTab } from "./channel/users-tab";

/** Each read asks the provider for the truth (getWebhookInfo), so poll gently. */
const DETAIL_POLL_MS = 10_000;

const TABS = [
  { id: "activity", label: "Activity" },
  { id: "pairing", label: "Pairing Codes" },
  { id: "users", label: "Users" },
  { id: "settings", label: "Settings" },
  { id: "logs", label: "Logs" },
];

export function ChannelDetailPage({ id, tab }: { id: string; tab: ChannelTab }) {
  const [window, setWindow] = useState<StatsWindow>("24h");
  const channel = useResource(() => api.get<{ channel: Channel }>(`/channels/${id}`).then((body) => body.channel), [id], { pollMs: DETAIL_POLL_MS });
  if (channel.error instanceof ApiError && channel.error.status === 404) {
    return (
      <>
        <PageHeader title="Channel not found" back={{ href: "/channels", label: "Channels" }} />
        <p>This channel does not exist (any more).</p>
      </>
    );
  }
  if (!channel.data) {
    return (
      <>
        <PageHeader title="Channel" back={{ href: "/channels", label: "Channels" }} />
        {channel.error ? <ErrorBanner error={channel.error} onRetry={channel.reload} /> : <Loading label="Loading channel…" />}
      </>
    );
  }
  const data = channel.data;
  return (
    <>
      <PageHeader
        back={{ href: "/channels", label: "Channels" }}
        title={
          <span class="title-with-icon">
            <ProviderIcon provider={data.provider} label={data.providerLabel} size={32} decorative />
            {channelName(data)}
          </span>
        }
      >
        <ChannelActions channel={data} small={false} onChanged={channel.reload} onDeleted={() => navigate("/channels", { replace: true })} />
      </PageHeader>
      {channel.error && <ErrorBanner error={channel.error} onRetry={channel.reload} />}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={data.status} reason={data.statusReason} />
          </dd>
        </div>
        <div>
          <dt>Account</dt>
          <dd>
            {data.account.name ?? "—"} <span class="muted small">({data.providerLabel} id {data.account.id})</span>
          </dd>
        </div>
        <div>
          <dt>Workspace</dt>
          <dd>
            <Link href={`/workspaces/${data.workspaceId}`}>{data.workspaceName ?? data.workspaceId}</Link>
          </dd>
        </div>
        <div>
          <dt>Method</dt>
          <dd>{data.connection === "qr" ? "QR login" : "Token"}</dd>
        </div>
        <div>
          <dt>Last message in</dt>
          <dd>
            <Time at={data.lastInboundAt} />
          </dd>
        </div>
        <div>
          <dt>Last reply out</dt>
          <dd>
            <Time at={data.lastOutboundAt} />
          </dd>
        </div>
      </dl>
      {data.capabilities?.manualSetup && <SetupGuide channelId={data.id} providerLabel={data.providerLabel} />}
      {data.connection === "qr" && (data.status === "awaiting-login" || (data.status === "error" && data.statusReason?.includes("start with force"))) && (
        <section class="card" aria-label="QR login">
          <LoginPanel channelId={data.id} providerLabel={data.providerLabel} hint={data.capabilities?.loginHint} onLinked={() => void channel.reload()} />
        </section>
      )}
      <Tabs label="Channel sections" tabs={TABS} selected={tab} onSelect={(next) => navigate(`/channels/${id}/${next}`, { replace: true, keepFocus: true })}>
        {tab === "activity" && <ChannelActivity channelId={data.id} window={window} onWindow={setWindow} />}
        {tab === "pairing" && <PairingTab channel={data} />}
        {tab === "users" && <UsersTab channel={data} />}
        {tab === "settings" && <SettingsTab channel={data} onSaved={channel.reload} />}
        {tab === "logs" && <LogsTab channel={data} />}
      </Tabs>
    </>
  );
}
