// Wizard step 4: the channel exists; Start connects it (registers the webhook, or shows the URL and
// steps for providers connected by hand) and shows the status.
import { useState } from "preact/hooks";
import { Link } from "../../components/link";
import { SetupGuide } from "../../components/setup-guide";
import { ErrorBanner } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { navigate } from "../../lib/router";
import type { Channel, ChannelStatus } from "../../lib/types";

export function StartStep({ channel }: { channel: Channel }) {
  const [status, setStatus] = useState<{ status: ChannelStatus; reason: string | null }>({ status: channel.status, reason: channel.statusReason });
  const starting = useAction();
  const start = () =>
    starting.run(async () => {
      setStatus({ status: "starting", reason: null });
      setStatus(await api.post<{ status: ChannelStatus; reason: string | null }>(`/channels/${channel.id}/start`));
    });
  return (
    <div class="form">
      <p>
        Channel <strong>{channel.displayName ?? channel.account.name}</strong> was created. Start it to connect the {channel.providerLabel} account: messages
        sent to it then reach the workspace “{channel.workspaceName}”.
      </p>
      <p>
        Status: <StatusBadge status={status.status} reason={status.reason} />
      </p>
      {starting.error && <ErrorBanner error={starting.error} />}
      <div class="form-actions">
        {status.status !== "running" && (
          <button type="button" class="button button-primary" disabled={starting.busy} onClick={start}>
            {starting.busy ? "Starting…" : status.status === "error" ? "Retry" : "Start"}
          </button>
        )}
        <button type="button" class={status.status === "running" ? "button button-primary" : "button"} onClick={() => navigate(`/channels/${channel.id}`)}>
          Open channel
        </button>
        <Link href="/channels" class="button">
          All channels
        </Link>
      </div>
      {channel.capabilities?.manualSetup && <SetupGuide channelId={channel.id} providerLabel={channel.providerLabel} />}
      {status.status === "running" && (
        <p class="muted">
          Now send a message to {channel.account.name} in {channel.providerLabel}. Unknown users get a pairing code that you approve under Pairing Codes.
        </p>
      )}
    </div>
  );
}
