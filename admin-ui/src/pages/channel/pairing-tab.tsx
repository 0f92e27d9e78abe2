// Pairing Codes: pending requests from unknown users (approve / reject), and invite codes the
// admin hands out ("Generate code").
import { useState } from "preact/hooks";
import { CopyButton } from "../../components/copy-button";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../../components/states";
import { Time } from "../../components/time";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAction, useResource } from "../../lib/hooks";
import type { Channel, PairingRequest } from "../../lib/types";

const PAIRING_POLL_MS = 4000;

export function PairingTab({ channel }: { channel: Channel }) {
  const requests = useResource(() => api.get<{ requests: PairingRequest[] }>(`/channels/${channel.id}/pairing`).then((body) => body.requests), [channel.id], {
    pollMs: PAIRING_POLL_MS,
  });
  const decide = useAction();
  const [decided, setDecided] = useState<string>();

  const act = (request: PairingRequest, decision: "approve" | "reject") =>
    decide.run(async () => {
      await api.post(`/channels/${channel.id}/pairing/${request.id}/${decision}`);
      setDecided(`${userLabel(request)} was ${decision === "approve" ? "approved and told so" : "rejected"}.`);
      await requests.reload();
    });

  return (
    <div class="stack">
      <section aria-labelledby="pending-title">
        <h2 id="pending-title" class="section-title">
          Pending requests
        </h2>
        {channel.settings.dmPolicy !== "pairing" && (
          <p class="muted">The DM policy of this channel is “{channel.settings.dmPolicy}”: unknown users do not get pairing codes.</p>
        )}
        <div aria-live="polite">{decided && <p class="banner banner-success">{decided}</p>}</div>
        {decide.error && <ErrorBanner error={decide.error} />}
        <ListStates
          resource={requests}
          items={requests.data}
          loadingLabel="Loading requests…"
          empty={
            <EmptyState title="No pending requests">
              <p class="muted">When someone unknown writes to the bot, they get a code and their request appears here.</p>
            </EmptyState>
          }
        >
          {(items) => (
            <table class="table responsive-table">
              <TableHead columns={["User", "Code", "Requested"]} actions />
              <tbody>
                {items.map((request) => (
                  <tr key={request.id} data-request-id={request.id}>
                    <td data-label="User">
                      <UserCell request={request} />
                    </td>
                    <td data-label="Code">
                      <code class="code">{request.code}</code>
                    </td>
                    <td data-label="Requested">
                      <Time at={request.createdAt} />
                      {request.heldMessage && (
                        <span class="muted small block">
                          {(request.heldMessages ?? 1) > 1 ? `${request.heldMessages} messages are answered on approval` : "Their message is answered on approval"}
                        </span>
                      )}
                    </td>
                    <td data-label="Actions">
                      <div class="actions">
                        <button type="button" class="button button-primary button-small" disabled={decide.busy} onClick={() => act(request, "approve")} aria-label={`Approve ${userLabel(request)}`}>
                          Approve
                        </button>
                        <button type="button" class="button button-small" disabled={decide.busy} onClick={() => act(request, "reject")} aria-label={`Reject ${userLabel(request)}`}>
                          Reject
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ListStates>
      </section>
      <InviteCodes channel={channel} />
    </div>
  );
}

function userLabel(request: PairingRequest): string {
  const user = request.user;
  if (!user) return "Unknown user";
  return user.displayName ?? (user.username ? `@${user.username}` : user.providerUserId);
}

function UserCell({ request }: { request: PairingRequest }) {
  const user = request.user;
  return (
    <span>
      <strong>{userLabel(request)}</strong>
      {user?.username && <span class="muted small block">@{user.username}</span>}
      {user && <span class="muted small block">id {user.providerUserId}</span>}
    </span>
  );
}

interface Invite {
  code: string;
  expiresAt: number;
}

function InviteCodes({ channel }: { channel: Channel }) {
  const [invites, setInvites] = useState<Invite[]>([]);
  const generate = useAction();
  const create = () =>
    generate.run(async () => {
      const answer = await api.post<{ inviteCode: Invite }>(`/channels/${channel.id}/invite-codes`);
      setInvites([answer.inviteCode, ...invites]);
    });
  return (
    <section aria-labelledby="invite-title">
      <h2 id="invite-title" class="section-title">
        Invite codes
      </h2>
      <p class="muted">
        Give a code to someone you trust: they send <code>/start CODE</code> to {channel.account.name ?? "the bot"} and are approved at once. Each code works
        once.
      </p>
      <button type="button" class="button" disabled={generate.busy} onClick={create}>
        {generate.busy ? "Generating…" : "Generate code"}
      </button>
      {generate.error && <ErrorBanner error={generate.error} />}
      <ul class="invite-list" aria-live="polite">
        {invites.map((invite, index) => (
          <li class="invite" key={invite.code}>
            <code class="code code-large" id={`invite-${index}`} data-invite-code>
              {invite.code}
            </code>
            <CopyButton value={invite.code} targetId={`invite-${index}`} label="Copy code" />
            <span class="muted small">Expires {dateTime(invite.expiresAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
