// Allowlist pickers for providers with a directory (Zalo Personal): the account's friends for the
// DM allowlist, its groups for the group allowlist, each group with its own require-mention.
// Read live from the bridge (GET /api/channels/:id/directory); ids already chosen stay listed even
// when the directory cannot be read.
import { ErrorBanner, Loading } from "../../components/states";
import { api } from "../../lib/api";
import { useResource } from "../../lib/hooks";
import type { ChannelSettings } from "../../lib/types";

interface Directory {
  users: { id: string; name: string }[];
  groups: { id: string; name: string }[];
}

function withChosen(entries: { id: string; name: string }[], chosen: string[]) {
  const known = new Set(entries.map((entry) => entry.id));
  return [...entries, ...chosen.filter((id) => !known.has(id)).map((id) => ({ id, name: `${id} (not in the directory)` }))];
}

function toggle(list: string[], id: string, on: boolean): string[] {
  return on ? [...new Set([...list, id])] : list.filter((item) => item !== id);
}

export function DirectoryPicker({ channelId, settings, change, part }: { channelId: string; settings: ChannelSettings; change: (patch: Partial<ChannelSettings>) => void; part: "users" | "groups" }) {
  const directory = useResource(() => api.get<{ directory: Directory }>(`/channels/${channelId}/directory`).then((body) => body.directory), [channelId]);
  const entries = withChosen(directory.data?.[part] ?? [], part === "users" ? (settings.allowedUsers ?? []) : settings.allowedGroups);
  const mentions = settings.groupRequireMention ?? {};
  return (
    <div class="directory-picker" role="group" aria-label={part === "users" ? "Allowed contacts" : "Allowed groups"}>
      {directory.loading && <Loading label="Reading the account's contacts and groups…" />}
      {directory.error && <ErrorBanner error={directory.error} onRetry={directory.reload} />}
      {entries.length === 0 && !directory.loading && (
        <p class="muted small">{part === "users" ? "This provider lists no contacts: approve people through pairing or invite codes." : "The account is in no group yet."}</p>
      )}
      {entries.map((entry) =>
        part === "users" ? (
          <label class="choice">
            <input
              type="checkbox"
              checked={(settings.allowedUsers ?? []).includes(entry.id)}
              onChange={(event) => change({ allowedUsers: toggle(settings.allowedUsers ?? [], entry.id, event.currentTarget.checked) })}
            />
            <span>
              {entry.name} <span class="muted small">({entry.id})</span>
            </span>
          </label>
        ) : (
          <div class="directory-group">
            <label class="choice">
              <input
                type="checkbox"
                checked={settings.allowedGroups.includes(entry.id)}
                onChange={(event) => change({ allowedGroups: toggle(settings.allowedGroups, entry.id, event.currentTarget.checked) })}
              />
              <span>
                {entry.name} <span class="muted small">({entry.id})</span>
              </span>
            </label>
            <label class="choice choice-inline">
              <input
                type="checkbox"
                checked={mentions[entry.id] ?? settings.requireMention}
                onChange={(event) => change({ groupRequireMention: { ...mentions, [entry.id]: event.currentTarget.checked } })}
              />
              <span class="small">require mention</span>
            </label>
          </div>
        ),
      )}
    </div>
  );
}
