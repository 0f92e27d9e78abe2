// Add Channel: platform → workspace, thread and name → credentials (Test shows the provider's
// answer) → created → Start. A taken account (409) shows its impact and needs explicit consent.
// Providers not built yet are listed as "coming soon" and cannot be chosen.
import { useEffect, useRef, useState } from "preact/hooks";
import { PageHeader } from "../components/layout";
import { ErrorBanner, Loading } from "../components/states";
import { api } from "../lib/api";
import { useResource } from "../lib/hooks";
import type { Channel, Provider, Workspace } from "../lib/types";
import { CredentialsStep } from "./wizard/credentials-step";
import { ProviderStep } from "./wizard/provider-step";
import { QrLoginStep } from "./wizard/qr-login-step";
import { StartStep } from "./wizard/start-step";
import { WorkspaceStep } from "./wizard/workspace-step";

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
      <PageHeader title="Add channel" back={{ href: "/channels", label: "Channels" }} />
      <ol class="steps" aria-label="Steps">
        {STEPS.map((label, index) => (
          <li class={index === step ? "step step-current" : index < step ? "step step-done" : "step"} aria-current={index === step ? "step" : undefined}>
            <span class="step-number" aria-hidden="true">
              {index + 1}
            </span>
            {index === 2 && provider?.connection === "qr" ? "QR login" : label}
          </li>
        ))}
      </ol>
      {catalog.error && <ErrorBanner error={catalog.error} onRetry={catalog.reload} />}
      {catalog.loading && <Loading />}
      {catalog.data && (
        <section class="card wizard-card" aria-labelledby="wizard-step-title">
          <h2 id="wizard-step-title" class="card-title" tabIndex={-1} ref={heading}>
            {["Choose a platform", "Choose the workspace", provider?.connection === "qr" ? "Link the phone (QR login)" : "Connect the account", "Start the channel"][step]}
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
          {step === 2 && provider && workspaceId && provider.connection === "qr" && (
            <QrLoginStep
              provider={provider}
              request={{ provider: provider.id, workspaceId, ...(threadId ? { threadId } : {}), ...(displayName.trim() ? { displayName: displayName.trim() } : {}) }}
              onBack={() => setStep(1)}
            />
          )}
          {step === 2 && provider && workspaceId && provider.connection !== "qr" && (
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
