// Start / Stop / Retry / Relogin / Delete for one channel, shown by what its status and its
// provider's capabilities allow (Relogin only where the provider logs in by QR).
import { api } from "../lib/api";
import { useAction } from "../lib/hooks";
import type { Channel } from "../lib/types";
import { ConfirmButton } from "./confirm-button";

interface Props {
  channel: Channel;
  /** Called after any action so the caller refreshes what it shows. */
  onChanged: () => void;
  onDeleted: () => void;
  small?: boolean;
}

export function channelName(channel: Channel): string {
  return channel.displayName || channel.account.name || channel.id;
}

export function ChannelActions({ channel, onChanged, onDeleted, small = true }: Props) {
  const { busy, error, run } = useAction();
  const size = small ? " button-small" : "";
  const name = channelName(channel);
  const operate = (operation: "start" | "stop" | "retry" | "relogin") =>
    run(async () => {
      await api.post(`/channels/${channel.id}/${operation}`);
      onChanged();
    });
  const canStart = channel.status === "stopped";
  const canStop = channel.status !== "stopped";
  return (
    <div class="actions">
      {canStart && (
        <button type="button" class={`button button-primary${size}`} disabled={busy} onClick={() => operate("start")} aria-label={`Start ${name}`}>
          Start
        </button>
      )}
      {channel.status === "error" && (
        <button type="button" class={`button${size}`} disabled={busy} onClick={() => operate("retry")} aria-label={`Retry ${name}`}>
          Retry
        </button>
      )}
      {channel.capabilities?.relogin && (
        <button type="button" class={`button${size}`} disabled={busy} onClick={() => operate("relogin")} aria-label={`Relogin ${name}`}>
          Relogin
        </button>
      )}
      {canStop && (
        <button type="button" class={`button${size}`} disabled={busy} onClick={() => operate("stop")} aria-label={`Stop ${name}`}>
          Stop
        </button>
      )}
      <ConfirmButton
        label="Delete"
        ariaLabel={`Delete ${name}`}
        small={small}
        title={`Delete ${name}?`}
        confirmLabel="Delete channel"
        onConfirm={() =>
          run(async () => {
            await api.delete(`/channels/${channel.id}`);
            onDeleted();
          })
        }
      >
        <p>
          The channel is stopped and its credential, users, pairing requests, invite codes and logs are removed. The threads stay in the workspace
          {channel.workspaceName ? ` “${channel.workspaceName}”` : ""}.
        </p>
      </ConfirmButton>
      {error && (
        <p class="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
