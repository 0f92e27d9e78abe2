// For providers the admin connects by hand (Slack, Discord, Lark, DingTalk): the webhook URL to
// paste into the provider's console, the steps, and anything to paste (an app manifest), each
// with a copy button. Read from GET /api/channels/:id/setup.
import { api } from "../lib/api";
import { useResource } from "../lib/hooks";
import { CopyButton } from "./copy-button";
import { ErrorBanner, Loading } from "./states";

interface Setup {
  webhookUrl: string;
  guide: { steps: string[]; artifact?: { label: string; format: string; content: string } } | null;
}

export function SetupGuide({ channelId, providerLabel }: { channelId: string; providerLabel: string }) {
  const setup = useResource(() => api.get<Setup>(`/channels/${channelId}/setup`), [channelId]);
  if (setup.error) return <ErrorBanner error={setup.error} onRetry={setup.reload} />;
  if (!setup.data) return <Loading label="Loading setup steps…" />;
  const { webhookUrl, guide } = setup.data;
  return (
    <section class="setup-guide" aria-labelledby={`setup-${channelId}`}>
      <h2 id={`setup-${channelId}`}>Connect {providerLabel}</h2>
      <p class="muted small">{providerLabel} calls this URL; it is set in {providerLabel}'s console, not here.</p>
      <div class="copy-row">
        <code id={`webhook-url-${channelId}`} data-webhook-url>
          {webhookUrl}
        </code>
        <CopyButton value={webhookUrl} label="Copy URL" targetId={`webhook-url-${channelId}`} />
      </div>
      {guide && (
        <ol class="setup-steps">
          {guide.steps.map((step) => (
            <li>{step}</li>
          ))}
        </ol>
      )}
      {guide?.artifact && (
        <details class="setup-artifact">
          <summary>
            {guide.artifact.label} <CopyButton value={guide.artifact.content} label={`Copy ${guide.artifact.label.toLowerCase()}`} targetId={`artifact-${channelId}`} />
          </summary>
          <pre id={`artifact-${channelId}`} data-setup-artifact>
            {guide.artifact.content}
          </pre>
        </details>
      )}
    </section>
  );
}
