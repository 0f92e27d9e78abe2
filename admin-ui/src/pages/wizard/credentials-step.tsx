// Wizard step 3: the credential, with Test (the provider's answer inline) and Create. A 409 for an
// account connected elsewhere shows its impact; the account moves only on explicit confirmation.
// Providers whose socket the bridge can hold (capabilities.bridgeSocket) get the choice here:
// Slack's Events API or Socket Mode (each with its own fields), Discord's gateway on or off.
import { useState } from "preact/hooks";
import { Field } from "../../components/field";
import { ErrorBanner } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { api, ApiError } from "../../lib/api";
import { useAction } from "../../lib/hooks";
import type { Channel, ChannelStatus, ImpactEntry, Provider } from "../../lib/types";

type TestState = { state: "idle" } | { state: "ok"; account: { id: string; name: string } } | { state: "failed"; message: string };

export function CredentialsStep({ provider, request, onBack, onCreated }: { provider: Provider; request: Record<string, string>; onBack: () => void; onCreated: (channel: Channel) => void }) {
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [test, setTest] = useState<TestState>({ state: "idle" });
  const [impact, setImpact] = useState<ImpactEntry[]>();
  const socket = provider.capabilities?.bridgeSocket ?? null;
  const [useSocket, setUseSocket] = useState(false);
  const testing = useAction();
  const creating = useAction();
  // Fields of the other way of receiving are neither shown nor sent.
  const fields = provider.credentialFields.filter((field) => !field.transport || field.transport === (useSocket ? "socket" : "webhook"));
  const complete = fields.every((field) => !field.required || (credentials[field.name] ?? "").trim() !== "");
  const trimmed = Object.fromEntries(
    Object.entries(credentials)
      .filter(([key, value]) => fields.some((field) => field.name === key) && value.trim() !== "")
      .map(([key, value]) => [key, value.trim()]),
  );
  const settings = socket && useSocket ? { settings: { [socket.setting]: true } } : {};
  const chooseSocket = (on: boolean) => {
    setUseSocket(on);
    setTest({ state: "idle" });
    creating.setError(undefined);
  };

  const runTest = () =>
    testing.run(async () => {
      creating.setError(undefined);
      try {
        const answer = await api.post<{ account: { id: string; name: string } }>("/channels/test", { provider: provider.id, credentials: trimmed });
        setTest({ state: "ok", account: answer.account });
      } catch (error) {
        setTest({ state: "failed", message: (error as Error).message });
      }
    });

  const create = (force: boolean) =>
    creating.run(async () => {
      try {
        const answer = await api.post<{ channel: Channel }>("/channels", { ...request, credentials: trimmed, ...settings, ...(force ? { force: true } : {}) });
        onCreated(answer.channel);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && Array.isArray(error.body.impact)) {
          setImpact(error.body.impact as ImpactEntry[]);
          return;
        }
        // The credential was refused: one answer, where Test shows its answers, not a second copy.
        if (error instanceof ApiError && (error.status === 400 || error.status === 502)) {
          setTest({ state: "failed", message: error.message });
          return;
        }
        throw error;
      }
    });

  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault();
        if (complete) void create(false);
      }}
    >
      {socket && socket.replacesWebhook && (
        <fieldset class="fieldset" data-socket-choice>
          <legend>How {provider.label} delivers messages</legend>
          <label class="choice">
            <input type="radio" name="transport" checked={!useSocket} onChange={() => chooseSocket(false)} />
            <span>
              <strong>Request URL</strong>
              <span class="muted small block">{provider.label} calls this Worker's public URL with each event.</span>
            </span>
          </label>
          <label class="choice">
            <input type="radio" name="transport" checked={useSocket} onChange={() => chooseSocket(true)} />
            <span>
              <strong>{socket.label}</strong>
              <span class="muted small block">{socket.help}</span>
            </span>
          </label>
        </fieldset>
      )}
      {socket && !socket.replacesWebhook && (
        <label class="choice" data-socket-choice>
          <input type="checkbox" checked={useSocket} onChange={(event) => chooseSocket(event.currentTarget.checked)} />
          <span>
            <strong>{socket.label}</strong>
            <span class="muted small block">{socket.help}</span>
          </span>
        </label>
      )}
      {fields.map((field) => (
        <Field label={field.label} help={field.help}>
          {(control) => {
            const onChange = (value: string) => {
              setCredentials({ ...credentials, [field.name]: value });
              // An answer about the old value is stale: clear it, whatever gave it.
              setTest({ state: "idle" });
              creating.setError(undefined);
              setImpact(undefined);
            };
            return field.options ? (
              <select {...control} name={field.name} value={credentials[field.name] ?? ""} onChange={(event) => onChange(event.currentTarget.value)}>
                <option value="">Choose…</option>
                {field.options.map((option) => (
                  <option value={option}>{option}</option>
                ))}
              </select>
            ) : (
              <input
                {...control}
                type={field.secret ? "password" : field.type === "url" ? "url" : "text"}
                name={field.name}
                autocomplete="off"
                spellcheck={false}
                required={field.required}
                value={credentials[field.name] ?? ""}
                onInput={(event) => onChange(event.currentTarget.value)}
              />
            );
          }}
        </Field>
      ))}
      <div class="test-row">
        <button type="button" class="button" disabled={!complete || testing.busy} onClick={runTest}>
          {testing.busy ? "Testing…" : "Test"}
        </button>
        <div id="test-result" aria-live="polite" class="test-result">
          {test.state === "ok" && (
            <span class="ok-text" data-test-result="ok">
              ✓ {provider.label} accepted the credential: <strong>{test.account.name}</strong> (id {test.account.id})
            </span>
          )}
          {test.state === "failed" && (
            <span class="error-text" role="alert" data-test-result="failed">
              ✗ {test.message}
            </span>
          )}
        </div>
      </div>
      {impact && (
        <div class="banner banner-warning impact" role="alert" aria-labelledby="impact-title">
          <h3 id="impact-title">This account is already connected</h3>
          <p>
            {impact.length > 1
              ? "Connecting it here stops these channels, and their workspaces lose the account:"
              : "Connecting it here stops this channel, and its workspace loses the account:"}
          </p>
          <ul>
            {impact.map((entry) => (
              <li>
                <strong>{entry.displayName ?? entry.channelId}</strong> in workspace “{entry.workspaceName ?? entry.workspaceId}” — <StatusBadge status={entry.status as ChannelStatus} />
              </li>
            ))}
          </ul>
          <div class="form-actions">
            <button type="button" class="button" onClick={() => setImpact(undefined)}>
              Cancel
            </button>
            <button type="button" class="button button-danger" disabled={creating.busy} onClick={() => create(true)}>
              Move the account here
            </button>
          </div>
        </div>
      )}
      {creating.error && <ErrorBanner error={creating.error} />}
      <div class="form-actions">
        <button type="button" class="button" onClick={onBack}>
          Back
        </button>
        <button type="submit" class="button button-primary" disabled={!complete || creating.busy || Boolean(impact)}>
          {creating.busy ? "Creating…" : "Create channel"}
        </button>
      </div>
    </form>
  );
}
