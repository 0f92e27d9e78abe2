// Settings: display name, default thread, access control, agent whitelist, and for providers
// whose socket the bridge can hold, that socket (Slack's Socket Mode with its app-level token,
// Discord's gateway): changing it restarts a running channel so the new way applies at once. The
// credential is write-only: it shows as "configured"; a socket's token can be added, never read.
import { useState } from "preact/hooks";
import { Field } from "../../components/field";
import { ErrorBanner, Loading, Notice } from "../../components/states";
import { api } from "../../lib/api";
import { useAction, useResource } from "../../lib/hooks";
import type { Channel, ChannelSettings, Provider, ProviderField, Thread, Workspace } from "../../lib/types";
import { DirectoryPicker } from "./directory-picker";

const DM_POLICIES: { value: ChannelSettings["dmPolicy"]; label: string; help: string }[] = [
  { value: "pairing", label: "Pairing", help: "Unknown users get a code; you approve them under Pairing Codes." },
  { value: "allowlist", label: "Allowlist", help: "Only users you approved (or who redeemed an invite code)." },
  { value: "open", label: "Open", help: "Anyone who writes to the bot." },
  { value: "disabled", label: "Disabled", help: "Direct messages are ignored (and logged)." },
];

const GROUP_POLICIES: { value: ChannelSettings["groupPolicy"]; label: string; help: string }[] = [
  { value: "disabled", label: "Disabled", help: "Group messages are ignored (and logged)." },
  { value: "allowlist", label: "Allowlist", help: "Only the groups listed below." },
  { value: "open", label: "Open", help: "Any group the bot is in." },
];

export function SettingsTab({ channel, onSaved }: { channel: Channel; onSaved: () => void }) {
  const context = useResource(
    () =>
      Promise.all([
        api.get<{ workspace: Workspace }>(`/workspaces/${channel.workspaceId}`).then((body) => body.workspace),
        api.get<{ threads: Thread[] }>(`/workspaces/${channel.workspaceId}/threads`).then((body) => body.threads),
        api.get<{ providers: Provider[] }>("/providers").then((body) => body.providers.find((provider) => provider.id === channel.provider)?.credentialFields ?? []),
      ]),
    [channel.workspaceId],
  );
  if (context.error) return <ErrorBanner error={context.error} onRetry={context.reload} />;
  if (!context.data) return <Loading label="Loading settings…" />;
  const [workspace, threads, fields] = context.data;
  return <SettingsForm channel={channel} workspace={workspace} threads={threads} socketFields={fields.filter((field) => field.transport === "socket")} onSaved={onSaved} />;
}

function SettingsForm({
  channel,
  workspace,
  threads,
  socketFields,
  onSaved,
}: {
  channel: Channel;
  workspace: Workspace;
  threads: Thread[];
  socketFields: ProviderField[];
  onSaved: () => void;
}) {
  const [displayName, setDisplayName] = useState(channel.displayName ?? "");
  const [threadId, setThreadId] = useState(channel.threadId ?? "");
  const [settings, setSettings] = useState<ChannelSettings>(channel.settings);
  const [groupsText, setGroupsText] = useState(channel.settings.allowedGroups.join("\n"));
  const [saved, setSaved] = useState(false);
  const [restarted, setRestarted] = useState(false);
  const [socketCredentials, setSocketCredentials] = useState<Record<string, string>>({});
  const socket = channel.capabilities?.bridgeSocket ?? null;
  const socketOn = socket ? settings[socket.setting] === true : false;
  const save = useAction();
  const change = (patch: Partial<ChannelSettings>) => {
    setSettings({ ...settings, ...patch });
    setSaved(false);
  };
  const shared = threads.filter((thread) => thread.kind === "shared" || thread.id === channel.threadId);

  const submit = (event: Event) => {
    event.preventDefault();
    void save.run(async () => {
      const allowedGroups = channel.capabilities?.groupDirectory ? settings.allowedGroups : groupsText.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
      const entered = Object.fromEntries(Object.entries(socketCredentials).filter(([, value]) => value.trim() !== "").map(([name, value]) => [name, value.trim()]));
      // The token first: the provider checks it, and the settings change only if it is good.
      if (socketOn && Object.keys(entered).length > 0) await api.patch(`/channels/${channel.id}/credentials`, { credentials: entered });
      await api.patch(`/channels/${channel.id}`, {
        displayName: displayName.trim() || null,
        threadId: threadId || null,
        settings: { ...settings, allowedGroups },
      });
      setSocketCredentials({});
      const socketChanged = socket !== null && (channel.settings[socket.setting] === true) !== socketOn;
      if (socketChanged && channel.status !== "stopped") {
        await api.post(`/channels/${channel.id}/stop`);
        await api.post(`/channels/${channel.id}/start`);
      }
      setRestarted(socketChanged && channel.status !== "stopped");
      setSaved(true);
      onSaved();
    });
  };

  return (
    <form class="form settings-form" onSubmit={submit}>
      <fieldset class="fieldset">
        <legend>General</legend>
        <Field label="Display name" help="The name users see in the bot's messages (“You are now connected to …”); empty: the workspace's name.">
          {(control) => <input {...control} type="text" maxLength={80} value={displayName} onInput={(event) => (setDisplayName(event.currentTarget.value), setSaved(false))} />}
        </Field>
        <Field label="Default thread" help={`Threads of the workspace “${workspace.name}”. Create shared threads on the workspace page.`}>
          {(control) => (
            <select {...control} value={threadId} onChange={(event) => (setThreadId(event.currentTarget.value), setSaved(false))}>
              <option value="">None — every chat gets its own threads</option>
              {shared.map((thread) => (
                <option value={thread.id}>{thread.title}</option>
              ))}
            </select>
          )}
        </Field>
        <div class="field">
          <span class="field-label" id="credential-label">Credential</span>
          <span>
            <span class="pill pill-approved">Configured</span>{" "}
            <span class="muted small">Stored encrypted and never shown. To use another token, create a new channel.</span>
          </span>
        </div>
      </fieldset>

      <fieldset class="fieldset">
        <legend>Direct messages</legend>
        {DM_POLICIES.map((policy) => (
          <label class="choice">
            <input type="radio" name="dmPolicy" value={policy.value} checked={settings.dmPolicy === policy.value} onChange={() => change({ dmPolicy: policy.value })} />
            <span>
              <strong>{policy.label}</strong>
              <span class="muted small block">{policy.help}</span>
            </span>
          </label>
        ))}
        {settings.dmPolicy === "allowlist" && channel.capabilities?.groupDirectory && (
          <>
            <p class="muted small">Besides approved users, these contacts of the account may write:</p>
            <DirectoryPicker channelId={channel.id} settings={settings} change={change} part="users" />
          </>
        )}
      </fieldset>

      <fieldset class="fieldset">
        <legend>Groups</legend>
        {GROUP_POLICIES.map((policy) => (
          <label class="choice">
            <input type="radio" name="groupPolicy" value={policy.value} checked={settings.groupPolicy === policy.value} onChange={() => change({ groupPolicy: policy.value })} />
            <span>
              <strong>{policy.label}</strong>
              <span class="muted small block">{policy.help}</span>
            </span>
          </label>
        ))}
        {settings.groupPolicy === "allowlist" && channel.capabilities?.groupDirectory && (
          <DirectoryPicker channelId={channel.id} settings={settings} change={change} part="groups" />
        )}
        {settings.groupPolicy === "allowlist" && !channel.capabilities?.groupDirectory && (
          <Field
            label="Allowed groups"
            help={`${channel.providerLabel} chat ids, one per line${channel.capabilities?.groupIdFormat ? ` (e.g. ${channel.capabilities.groupIdFormat.example})` : ""}. Dropped group messages are logged with their chat id.`}
          >
            {(control) => <textarea {...control} rows={3} value={groupsText} onInput={(event) => (setGroupsText(event.currentTarget.value), setSaved(false))} />}
          </Field>
        )}
        <label class="choice">
          <input type="checkbox" checked={settings.requireMention} onChange={(event) => change({ requireMention: event.currentTarget.checked })} />
          <span>
            <strong>Require mention</strong>
            <span class="muted small block">In groups, answer only messages that mention the bot or reply to it.</span>
          </span>
        </label>
      </fieldset>

      {socket && (
        <fieldset class="fieldset" data-socket-setting>
          <legend>{socket.replacesWebhook ? "How messages arrive" : "Gateway"}</legend>
          <label class="choice">
            <input type="checkbox" checked={socketOn} onChange={(event) => change({ [socket.setting]: event.currentTarget.checked })} />
            <span>
              <strong>{socket.label}</strong>
              <span class="muted small block">
                {socket.help} Held by the bridge; {socket.replacesWebhook ? "off: the provider calls the Request URL shown in the setup steps." : "slash commands keep working through the Interactions Endpoint URL either way."}{" "}
                A running channel restarts when this changes.
              </span>
            </span>
          </label>
          {socketOn &&
            socketFields.map((field) => (
              <Field label={field.label} help={`${field.help ?? ""} Leave empty to keep the one stored.`.trim()}>
                {(control) => (
                  <input
                    {...control}
                    type="password"
                    name={field.name}
                    autocomplete="off"
                    spellcheck={false}
                    value={socketCredentials[field.name] ?? ""}
                    onInput={(event) => (setSocketCredentials({ ...socketCredentials, [field.name]: event.currentTarget.value }), setSaved(false))}
                  />
                )}
              </Field>
            ))}
        </fieldset>
      )}

      {channel.capabilities?.voice && settings.voiceReplies !== undefined && (
        <fieldset class="fieldset">
          <legend>Voice</legend>
          <label class="choice">
            <input type="checkbox" checked={settings.voiceReplies} onChange={(event) => change({ voiceReplies: event.currentTarget.checked })} />
            <span>
              <strong>Voice replies</strong>
              <span class="muted small block">After the text reply, also send a voice note, spoken by the voice engine set on the workspace page.</span>
            </span>
          </label>
          {settings.voiceReplies && workspace.voice && !workspace.voice.ready && (
            <p class="banner banner-warning" role="status" data-voice-warning>
              Voice notes will not be sent: {workspace.voice.problem}. Text replies are not affected.
            </p>
          )}
        </fieldset>
      )}

      {channel.capabilities?.selfChat && settings.selfChat !== undefined && (
        <fieldset class="fieldset">
          <legend>Own chat</legend>
          <label class="choice">
            <input type="checkbox" checked={settings.selfChat} onChange={(event) => change({ selfChat: event.currentTarget.checked })} />
            <span>
              <strong>Self-chat mode</strong>
              <span class="muted small block">
                Messages you write in the linked account's own chat (“Message yourself”) are answered like a direct message: a test entry point on your own phone.
              </span>
            </span>
          </label>
        </fieldset>
      )}

      <fieldset class="fieldset">
        <legend>Agents</legend>
        {workspace.agents.length === 0 ? (
          <p class="muted">The workspace “{workspace.name}” defines no named agents. Add them on the workspace page to let users address them with @name.</p>
        ) : (
          <>
            <p class="muted small">Which of the workspace's agents users of this channel may address with @name.</p>
            {workspace.agents.map((agent) => (
              <label class="choice">
                <input
                  type="checkbox"
                  checked={settings.agentWhitelist.includes(agent)}
                  onChange={(event) =>
                    change({ agentWhitelist: event.currentTarget.checked ? [...settings.agentWhitelist, agent] : settings.agentWhitelist.filter((item) => item !== agent) })
                  }
                />
                <span>@{agent}</span>
              </label>
            ))}
          </>
        )}
      </fieldset>

      {save.error && <ErrorBanner error={save.error} />}
      <div aria-live="polite">{saved && <Notice>{restarted ? "Settings saved; the channel restarted to receive messages the new way." : "Settings saved."}</Notice>}</div>
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save settings"}
        </button>
      </div>
    </form>
  );
}
