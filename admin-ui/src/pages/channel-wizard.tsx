// Add Channel: platform → workspace, thread and name → credentials (Test shows the provider's
// answer) → created → Start. A taken account (409) shows its impact and needs explicit consent.
// Providers not built yet are listed as "coming soon" and cannot be chosen.
import { Field } from "../components/field";
import { useEffect, useRef, useState } from "preact/hooks";
import { PageHeader } from "../components/layout";
import { Link } from "../components/link";
import { ProviderIcon } from "../components/provider-icon";
import { ErrorBanner, Loading } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { api, ApiError } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import { navigate } from "../lib/router";
import type { Channel, ChannelStatus, ImpactEntry, Provider, Thread, Workspace } from "../lib/types";

const STEPS = ["Platform", "Workspace", "Credentials", "Start"] as const;

export function ChannelWizardPage() {
  const catalog = useResource(
    () => Promise.all([api.get<{ providers: Provider[] }>("/providers"), api.get<{ workspaces: Workspace[] }>("/workspaces")]),
    [],
  );
  const [step, setStep] = useState(0);
  const [providerId, setProviderId] = useState<string>();
  const [workspaceId, setWorkspaceId] = useState<string>();
  const [threadId, setThreadId] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [created, setCreated] = useState<Channel>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, [step]);

  const [providersBody, workspacesBody] = catalog.data ?? [];
  const providers = providersBody?.providers ?? [];
  const workspaces = workspacesBody?.workspaces ?? [];
  const provider = providers.find((item) => item.id === providerId);
  useEffect(() => {
    if (!workspaceId && workspaces.length > 0) setWorkspaceId((workspaces.find((item) => item.isDefault) ?? workspaces[0]!).id);
  }, [workspaces.length]);

  return (
    <>
      <PageHeader title="Add channel" back={{ href: "/", label: "Channels" }} />
      <ol class="steps" aria-label="Steps">
        {STEPS.map((label, index) => (
          <li class={index === step ? "step step-current" : index < step ? "step step-done" : "step"} aria-current={index === step ? "step" : undefined}>
            <span class="step-number" aria-hidden="true">
              {index + 1}
            </span>
            {label}
          </li>
        ))}
      </ol>
      {catalog.error && <ErrorBanner error={catalog.error} onRetry={catalog.reload} />}
      {catalog.loading && <Loading />}
      {catalog.data && (
        <section class="card wizard-card" aria-labelledby="wizard-step-title">
          <h2 id="wizard-step-title" class="card-title" tabIndex={-1} ref={heading}>
            {["Choose a platform", "Choose the workspace", "Connect the account", "Start the channel"][step]}
          </h2>
          {step === 0 && (
            <ProviderStep
              providers={providers}
              selected={providerId}
              onSelect={setProviderId}
              onNext={() => setStep(1)}
            />
          )}
          {step === 1 && (
            <WorkspaceStep
              workspaces={workspaces}
              workspaceId={workspaceId}
              threadId={threadId}
              displayName={displayName}
              onChange={(change) => {
                if (change.workspaceId !== undefined && change.workspaceId !== workspaceId) setThreadId("");
                if (change.workspaceId !== undefined) setWorkspaceId(change.workspaceId);
                if (change.threadId !== undefined) setThreadId(change.threadId);
                if (change.displayName !== undefined) setDisplayName(change.displayName);
              }}
              onBack={() => setStep(0)}
              onNext={() => setStep(2)}
            />
          )}
          {step === 2 && provider && workspaceId && (
            <CredentialsStep
              provider={provider}
              request={{ provider: provider.id, workspaceId, ...(threadId ? { threadId } : {}), ...(displayName.trim() ? { displayName: displayName.trim() } : {}) }}
              onBack={() => setStep(1)}
              onCreated={(channel) => {
                setCreated(channel);
                setStep(3);
              }}
            />
          )}
          {step === 3 && created && <StartStep channel={created} />}
        </section>
      )}
    </>
  );
}

function ProviderStep({ providers, selected, onSelect, onNext }: { providers: Provider[]; selected?: string; onSelect: (id: string) => void; onNext: () => void }) {
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (selected) onNext();
      }}
    >
      <fieldset class="provider-grid">
        <legend class="visually-hidden">Platform</legend>
        {providers.map((provider) => (
          <label class={`provider-option${provider.available ? "" : " provider-option-disabled"}${selected === provider.id ? " provider-option-selected" : ""}`}>
            <input
              type="radio"
              name="provider"
              value={provider.id}
              checked={selected === provider.id}
              disabled={!provider.available}
              onChange={() => onSelect(provider.id)}
              aria-describedby={`provider-${provider.id}-note`}
            />
            <ProviderIcon provider={provider.id} label={provider.label} size={32} decorative />
            <span class="provider-option-text">
              <span class="provider-option-label">{provider.label}</span>
              <span class="muted small" id={`provider-${provider.id}-note`}>
                {provider.available ? (provider.connection === "qr" ? "QR login" : "Token") : `Coming soon · ${provider.connection === "qr" ? "QR login" : "token"}`}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={!selected}>
          Next
        </button>
      </div>
    </form>
  );
}

interface WorkspaceChange {
  workspaceId?: string;
  threadId?: string;
  displayName?: string;
}

function WorkspaceStep(props: {
  workspaces: Workspace[];
  workspaceId?: string;
  threadId: string;
  displayName: string;
  onChange: (change: WorkspaceChange) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const threads = useResource(
    () => (props.workspaceId ? api.get<{ threads: Thread[] }>(`/workspaces/${props.workspaceId}/threads`).then((body) => body.threads) : Promise.resolve([])),
    [props.workspaceId],
  );
  const shared = (threads.data ?? []).filter((thread) => thread.kind === "shared");
  if (props.workspaces.length === 0) {
    return (
      <p>
        There is no workspace yet. <Link href="/workspaces/new">Create a workspace</Link> first.
      </p>
    );
  }
  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onNext();
      }}
    >
      <Field label="Workspace" help="The AI target messages go to. It cannot be changed after the channel is created.">
        {(control) => (
          <select {...control} value={props.workspaceId} onChange={(event) => props.onChange({ workspaceId: event.currentTarget.value })}>
            {props.workspaces.map((workspace) => (
              <option value={workspace.id}>{workspace.name}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Default thread (optional)" help="With a default thread, new messages land in it until a user starts their own with /new.">
        {(control) => (
          <select {...control} value={props.threadId} onChange={(event) => props.onChange({ threadId: event.currentTarget.value })} disabled={threads.loading}>
            <option value="">None — every chat gets its own threads</option>
            {shared.map((thread) => (
              <option value={thread.id}>{thread.title}</option>
            ))}
          </select>
        )}
      </Field>
      {threads.error && <ErrorBanner error={threads.error} onRetry={threads.reload} />}
      <Field label="Display name (optional)" help="Shown in this admin UI, e.g. “Support bot”. Defaults to the account name.">
        {(control) => (
          <input {...control} type="text" maxLength={80} value={props.displayName} onInput={(event) => props.onChange({ displayName: event.currentTarget.value })} />
        )}
      </Field>
      <div class="form-actions">
        <button type="button" class="button" onClick={props.onBack}>
          Back
        </button>
        <button type="submit" class="button button-primary" disabled={!props.workspaceId}>
          Next
        </button>
      </div>
    </form>
  );
}

type TestState = { state: "idle" } | { state: "ok"; account: { id: string; name: string } } | { state: "failed"; message: string };

function CredentialsStep({ provider, request, onBack, onCreated }: { provider: Provider; request: Record<string, string>; onBack: () => void; onCreated: (channel: Channel) => void }) {
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [test, setTest] = useState<TestState>({ state: "idle" });
  const [impact, setImpact] = useState<ImpactEntry[]>();
  const testing = useAction();
  const creating = useAction();
  const complete = provider.credentialFields.every((field) => (credentials[field.name] ?? "").trim() !== "");
  const trimmed = Object.fromEntries(Object.entries(credentials).map(([key, value]) => [key, value.trim()]));

  const runTest = () =>
    testing.run(async () => {
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
        const answer = await api.post<{ channel: Channel }>("/channels", { ...request, credentials: trimmed, ...(force ? { force: true } : {}) });
        onCreated(answer.channel);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409 && Array.isArray(error.body.impact)) {
          setImpact(error.body.impact as ImpactEntry[]);
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
      {provider.credentialFields.map((field) => (
        <Field label={field.label} help={field.help}>
          {(control) => (
            <input
              {...control}
              type={field.secret ? "password" : "text"}
              name={field.name}
              autocomplete="off"
              spellcheck={false}
              value={credentials[field.name] ?? ""}
              onInput={(event) => {
                setCredentials({ ...credentials, [field.name]: event.currentTarget.value });
                setTest({ state: "idle" });
                setImpact(undefined);
              }}
            />
          )}
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

function StartStep({ channel }: { channel: Channel }) {
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
        <Link href="/" class="button">
          All channels
        </Link>
      </div>
      {status.status === "running" && (
        <p class="muted">
          Now send a message to {channel.account.name} in {channel.providerLabel}. Unknown users get a pairing code that you approve under Pairing Codes.
        </p>
      )}
    </div>
  );
}
