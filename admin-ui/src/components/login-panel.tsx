// The QR login of a QR provider (WhatsApp, Zalo Personal): the QR in the page, replaced as the
// library rotates it; then the linked account, or the channel that already has it (impact
// scope) with an explicit "move it here"; or the reason the login stopped. Used by the wizard
// and by the channel page after Relogin.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import type { ChannelStatus } from "../lib/types";
import { QrCode } from "./qr-code";
import { ErrorBanner } from "./states";
import { StatusBadge } from "./status-badge";

export interface LoginView {
  qr: { qr: string; expiresAt: number; image?: string } | null;
  status: ChannelStatus;
  reason: string | null;
  /** The linked account, once the login connected. */
  account: { id: string; name: string } | null;
  conflict: { account: { id: string; name: string }; channels: { channelId: string; displayName: string | null; workspaceId: string }[] } | null;
}

const POLL_MS = 1500;

export function LoginPanel({ channelId, providerLabel, hint, onLinked }: { channelId: string; providerLabel: string; hint?: string | null; onLinked?: (view: LoginView) => void }) {
  const view = useResource(() => api.get<LoginView>(`/channels/${channelId}/qr`), [channelId], { pollMs: POLL_MS });
  const moving = useAction();
  const [linkedSeen, setLinkedSeen] = useState(false);
  const data = view.data;
  useEffect(() => {
    if (data?.status === "running" && !linkedSeen) {
      setLinkedSeen(true);
      onLinked?.(data);
    }
  }, [data?.status]);

  if (!data) return view.error ? <ErrorBanner error={view.error} onRetry={view.reload} /> : <p class="muted">Preparing the QR login…</p>;
  return (
    <div class="login-panel" aria-live="polite">
      {data.qr && (
        <figure class="qr-figure">
          {data.qr.image ? (
            <img class="qr-code" src={data.qr.image} width={264} height={264} alt={`${providerLabel} login QR code`} data-qr={data.qr.qr} />
          ) : (
            <QrCode text={data.qr.qr} label={`${providerLabel} login QR code`} />
          )}
          <figcaption>{hint ?? `Scan this code with the ${providerLabel} app on the phone.`} The code renews itself; keep this page open.</figcaption>
        </figure>
      )}
      {!data.qr && data.status !== "running" && !data.conflict && data.status !== "error" && <p class="muted">Waiting for the QR code from the bridge…</p>}
      <p>
        Status: <StatusBadge status={data.status} reason={data.reason} />
      </p>
      {data.conflict && (
        <div class="banner banner-warning impact" role="alert" aria-labelledby="login-impact-title">
          <h3 id="login-impact-title">This account is already connected</h3>
          <p>
            {data.conflict.account.name} is connected to{" "}
            {data.conflict.channels.map((entry) => entry.displayName ?? entry.channelId).join(", ")}. Moving it here stops that channel, and its workspace loses the
            account.
          </p>
          {moving.error && <ErrorBanner error={moving.error} />}
          <button
            type="button"
            class="button button-danger"
            disabled={moving.busy}
            onClick={() =>
              moving.run(async () => {
                await api.post(`/channels/${channelId}/start`, { force: true });
                view.reload();
              })
            }
          >
            Move the account here
          </button>
        </div>
      )}
    </div>
  );
}
