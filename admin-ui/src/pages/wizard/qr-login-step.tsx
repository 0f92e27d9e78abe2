// Wizard step 3 for QR providers: nothing to paste. "Next: QR login" creates the channel and
// starts its login; the QR shows in the page and renews itself; when the phone links, the account
// appears and Save & Start finishes (the channel runs already). A number that another channel has
// shows its impact and moves only on explicit confirmation.
import { useState } from "preact/hooks";
import { LoginPanel, type LoginView } from "../../components/login-panel";
import { ErrorBanner } from "../../components/states";
import { api } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import { navigate } from "../../lib/router";
import type { Channel, Provider } from "../../lib/types";

export function QrLoginStep({ provider, request, onBack }: { provider: Provider; request: Record<string, string>; onBack: () => void }) {
  const [channel, setChannel] = useState<Channel>();
  const [linked, setLinked] = useState<LoginView>();
  const creating = useAction();

  const begin = () =>
    creating.run(async () => {
      const created = await api.post<{ channel: Channel }>("/channels", { ...request, credentials: {} });
      await api.post(`/channels/${created.channel.id}/start`);
      setChannel(created.channel);
    });

  if (!channel) {
    return (
      <div class="form">
        <p>
          {provider.label} connects as a linked device: there is no token to paste. The next step shows a QR code to scan with the phone whose account this
          channel will use.
        </p>
        {creating.error && <ErrorBanner error={creating.error} />}
        <div class="form-actions">
          <button type="button" class="button" onClick={onBack}>
            Back
          </button>
          <button type="button" class="button button-primary" disabled={creating.busy} onClick={begin}>
            {creating.busy ? "Preparing…" : "Next: QR login"}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div class="form">
      <LoginPanel channelId={channel.id} providerLabel={provider.label} hint={provider.capabilities?.loginHint} onLinked={setLinked} />
      {linked && (
        <p class="ok-text" data-linked>
          ✓ Linked: <strong>{linked.account?.name ?? "the phone's account"}</strong>. Messages sent to it now reach the workspace.
        </p>
      )}
      <div class="form-actions">
        <button type="button" class="button" onClick={() => navigate(`/channels/${channel.id}`)}>
          Open channel
        </button>
        <button type="button" class="button button-primary" disabled={!linked} onClick={() => navigate(`/channels/${channel.id}`)}>
          Save &amp; Start
        </button>
      </div>
    </div>
  );
}
