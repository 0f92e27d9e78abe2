// The channel list: every channel with its platform, account, method, status and workspace.
// Status refreshes by itself every few seconds while the tab is visible.
import { channelName, ChannelActions } from "../components/channel-actions";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { ProviderIcon } from "../components/provider-icon";
import { EmptyState, ListStates, TableHead } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { api } from "../lib/api";
import { useResource } from "../lib/hooks";
import type { Channel } from "../lib/types";

export const STATUS_POLL_MS = 4000;

export function ChannelsPage() {
  const channels = useResource(() => api.get<{ channels: Channel[] }>("/channels").then((body) => body.channels), [], { pollMs: STATUS_POLL_MS });
  return (
    <>
      <PageHeader title="Channels">
        <Link href="/channels/new" class="button button-primary">
          Add channel
        </Link>
      </PageHeader>
      <ListStates
        resource={channels}
        items={channels.data}
        loadingLabel="Loading channels…"
        empty={
          <EmptyState title="No channels yet">
            <p>A channel connects a messaging app account (a Telegram bot, …) to a workspace.</p>
            <Link href="/channels/new" class="button button-primary">
              Add your first channel
            </Link>
          </EmptyState>
        }
      >
        {(items) => (
          <table class="table responsive-table" aria-describedby="channels-refresh">
            <TableHead columns={["Channel", "Account", "Method", "Status", "Workspace"]} actions />
            <tbody>
              {items.map((channel) => (
                <tr key={channel.id} data-channel-id={channel.id}>
                  <td data-label="Channel">
                    <span class="channel-cell">
                      <ProviderIcon provider={channel.provider} label={channel.providerLabel} decorative />
                      <span>
                        <Link href={`/channels/${channel.id}`} class="strong-link">
                          {channelName(channel)}
                        </Link>
                        {(channel.pendingPairing ?? 0) > 0 && (
                          <Link href={`/channels/${channel.id}/pairing`} class="count-badge" data-pending-pairing={channel.pendingPairing}>
                            {channel.pendingPairing} waiting<span class="visually-hidden"> for pairing approval</span>
                          </Link>
                        )}
                        <span class="muted small block">{channel.providerLabel}</span>
                      </span>
                    </span>
                  </td>
                  <td data-label="Account">{channel.account.name ?? channel.account.id}</td>
                  <td data-label="Method">{channel.connection === "qr" ? "QR login" : "Token"}</td>
                  <td data-label="Status">
                    <StatusBadge status={channel.status} reason={channel.statusReason} />
                  </td>
                  <td data-label="Workspace">
                    <Link href={`/workspaces/${channel.workspaceId}`}>{channel.workspaceName ?? channel.workspaceId}</Link>
                  </td>
                  <td data-label="Actions">
                    <div class="row-actions">
                      <Link href={`/channels/${channel.id}/logs`} class="button button-small" aria-label={`Logs of ${channelName(channel)}`}>
                        Logs
                      </Link>
                      <ChannelActions channel={channel} onChanged={channels.reload} onDeleted={channels.reload} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListStates>
      {channels.data && channels.data.length > 0 && (
        <p class="muted small" id="channels-refresh">
          Status refreshes automatically.
        </p>
      )}
    </>
  );
}
