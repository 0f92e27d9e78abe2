// Create or edit a workspace. The form is built from the backend's fields and the voice-reply
// fields (GET /api/backends), so new backends and settings appear here without UI changes.
// Secret fields are write-only.
import { useState } from "preact/hooks";
import { Field } from "../components/field";
import { PageHeader } from "../components/layout";
import { ErrorBanner, Loading, Notice } from "../components/states";
import { api, ApiError } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import { navigate } from "../lib/router";
import type { Backend, BackendField, Workspace } from "../lib/types";
import { buildConfig, readField } from "./workspace/config-values";
import { WorkspaceTest } from "./workspace/connection-test";
import { WorkspaceApiKeys } from "./workspace/api-keys";
import { WorkspaceThreads } from "./workspace/threads";

/** GET /api/backends: every backend's fields, and the voice-reply fields shared by all. */
interface Catalog {
  backends: Backend[];
  speechFields?: BackendField[];
}

export function WorkspaceEditPage({ id }: { id?: string }) {
  const data = useResource(
    () =>
      Promise.all([
        api.get<Catalog>("/backends"),
        id ? api.get<{ workspace: Workspace }>(`/workspaces/${id}`).then((body) => body.workspace) : Promise.resolve(undefined),
      ]),
    [id],
  );
  const title = id ? (data.data?.[1]?.name ?? "Workspace") : "New workspace";
  return (
    <>
      <PageHeader title={title} back={{ href: "/workspaces", label: "Workspaces" }} />
      {data.error instanceof ApiError && data.error.status === 404 ? (
        <p>This workspace does not exist (any more).</p>
      ) : data.error ? (
        <ErrorBanner error={data.error} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : (
        <>
          <WorkspaceForm key={id ?? "new"} catalog={data.data[0]} workspace={data.data[1]} onSaved={data.reload} />
          {data.data[1] && <WorkspaceTest workspace={data.data[1]} />}
          {data.data[1] && <WorkspaceThreads workspace={data.data[1]} />}
          {data.data[1] && <WorkspaceApiKeys workspace={data.data[1]} />}
        </>
      )}
    </>
  );
}

function WorkspaceForm({ catalog, workspace, onSaved }: { catalog: Catalog; workspace?: Workspace; onSaved: () => void }) {
  const { backends, speechFields = [] } = catalog;
  const [name, setName] = useState(workspace?.name ?? "");
  const [kind, setKind] = useState(workspace?.backend ?? backends[0]?.kind ?? "echo");
  /** Only what the operator changed; everything else stays as stored. */
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [agents, setAgents] = useState((workspace?.agents ?? []).join(", "));
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const fields = backends.find((item) => item.kind === kind)?.fields ?? [];
  const storedConfig = workspace?.config ?? {};
  /** Secrets that are set, by name: only those show as "Configured". */
  const configuredSecrets = new Set(workspace?.secretNames ?? []);
  const valueOf = (field: BackendField) => (field.secret ? (secrets[field.name] ?? "") : (edits[field.name] ?? readField(storedConfig, field.name)));

  const submit = (event: Event) => {
    event.preventDefault();
    void save.run(async () => {
      const previous = backends.find((item) => item.kind === workspace?.backend)?.fields ?? [];
      const dropped = workspace && workspace.backend !== kind ? previous.filter((field) => !fields.some((item) => item.name === field.name)) : [];
      const body = {
        name: name.trim(),
        backend: kind,
        config: buildConfig(storedConfig, [...fields, ...speechFields], edits, dropped),
        agents: agents.split(/[\s,]+/).map((agent) => agent.replace(/^@/, "").trim()).filter(Boolean),
        // Write-only: only typed secrets are sent; the API keeps the others.
        ...(Object.values(secrets).some((value) => value.trim()) ? { secrets: trimmedValues(secrets) } : {}),
      };
      if (workspace) {
        await api.patch(`/workspaces/${workspace.id}`, body);
        setSecrets({});
        setSaved(true);
        onSaved();
      } else {
        const answer = await api.post<{ workspace: Workspace }>("/workspaces", body);
        navigate(`/workspaces/${answer.workspace.id}`, { replace: true });
      }
    });
  };
  const missing = fields.filter((field) => field.required && !(field.secret ? secrets[field.name]?.trim() || configuredSecrets.has(field.name) : valueOf(field).trim()));
  const input = (field: BackendField) => (
    <BackendFieldInput
      field={field}
      value={valueOf(field)}
      configured={field.secret && configuredSecrets.has(field.name)}
      onInput={(value) => {
        if (field.secret) setSecrets({ ...secrets, [field.name]: value });
        else setEdits({ ...edits, [field.name]: value });
        setSaved(false);
      }}
    />
  );

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="workspace-form-title">
      <h2 class="card-title" id="workspace-form-title">
        Settings
      </h2>
      <Field label="Name">
        {(control) => <input {...control} type="text" required maxLength={80} value={name} onInput={(event) => (setName(event.currentTarget.value), setSaved(false))} />}
      </Field>
      <Field label="Backend" help="How a message becomes a reply.">
        {(control) => (
          <select {...control} value={kind} onChange={(event) => (setKind(event.currentTarget.value), setSaved(false))}>
            {backends.map((item) => (
              <option value={item.kind}>{item.label}</option>
            ))}
          </select>
        )}
      </Field>
      {fields.map(input)}
      <Field label="Agents (optional)" help="Named agents users may address with @name. Letters, digits, _ and -; separate with commas.">
        {(control) => (
          <input {...control} type="text" value={agents} placeholder="e.g. researcher, writer" onInput={(event) => (setAgents(event.currentTarget.value), setSaved(false))} />
        )}
      </Field>
      {speechFields.length > 0 && (
        <fieldset class="fieldset">
          <legend>Voice replies</legend>
          <p class="muted small">Used by channels that have voice replies turned on (Telegram): after the text, a voice note of the answer.</p>
          {speechFields.map(input)}
        </fieldset>
      )}
      {save.error && <ErrorBanner error={save.error} />}
      <div aria-live="polite">{saved && <Notice>Workspace saved.</Notice>}</div>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={save.busy || !name.trim() || missing.length > 0}>
          {save.busy ? "Saving…" : workspace ? "Save workspace" : "Create workspace"}
        </button>
      </div>
    </form>
  );
}

function BackendFieldInput({ field, value, configured, onInput }: { field: BackendField; value: string; configured: boolean; onInput: (value: string) => void }) {
  const common = {
    name: field.name,
    value,
    required: field.required && !configured,
    onInput: (event: Event) => onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <Field
      label={
        <>
          {field.label}
          {!field.required && <span class="muted"> (optional)</span>}
        </>
      }
      help={
        field.help || field.secret ? (
          <>
            {field.help}
            {field.secret && " Write-only: stored encrypted, never shown again."}
          </>
        ) : undefined
      }
    >
      {(control) =>
        field.options ? (
          <select {...control} {...common}>
            <option value="">{field.required ? "Choose…" : "Default"}</option>
            {field.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : field.type === "text" ? (
          <textarea {...control} rows={4} {...common} />
        ) : (
          <input
            {...control}
            type={field.secret ? "password" : field.type === "number" ? "number" : field.type === "url" ? "url" : "text"}
            autocomplete={field.secret ? "new-password" : "off"}
            placeholder={configured ? "Configured — leave empty to keep" : undefined}
            {...common}
          />
        )
      }
    </Field>
  );
}

function trimmedValues(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value.trim()]).filter(([, value]) => value !== ""));
}
