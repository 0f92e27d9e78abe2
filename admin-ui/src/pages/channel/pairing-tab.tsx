// Pairing Codes: pending requests from unknown users (approve / reject), and invite codes the
// admin hands out ("Generate code"), listed with what became of them (unused, used by whom,
// expired, revoked); unused ones can be revoked.
import { useState } from "preact/hooks";
import { ConfirmButton } from "../../components/confirm-button";
import { CopyButton } from "../../components/copy-button";
import { EmptyState, ErrorBanner, ListStates, TableHead } from "../../components/states";
import { Time } from "../../components/time";
import { api } from "../../lib/api";
import { dateTime } from "../../lib/format";
import { useAction, useResource } from "../../lib/hooks";
import type { Channel, InviteCode, PairingRequest } from "../../lib/types";

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

/** Invite codes refresh with the requests: a redeemed code turns "used" by itself. */
function InviteCodes({ channel }: { channel: Channel }) {
  const invites = useResource(() => api.get<{ inviteCodes: InviteCode[] }>(`/channels/${channel.id}/invite-codes`).then((body) => body.inviteCodes), [channel.id], {
    pollMs: PAIRING_POLL_MS,
  });
  const generate = useAction();
  const revoke = useAction();
  const create = () =>
    generate.run(async () => {
      await api.post(`/channels/${channel.id}/invite-codes`);
      await invites.reload();
    });
  const revokeCode = (invite: InviteCode) =>
    revoke.run(async () => {
      await api.delete(`/channels/${channel.id}/invite-codes/${invite.id}`);
      await invites.reload();
    });
  return (
    <section aria-labelledby="invite-title" class="stack">
      <h2 id="invite-title" class="section-title">
        Invite codes
      </h2>
      <p class="muted">
        Give a code to someone you trust: they send <code>/start CODE</code> to {channel.account.name ?? "the bot"} and are approved at once. Each code works
        once, for 24 hours.
      </p>
      <div>
        <button type="button" class="button" disabled={generate.busy} onClick={create}>
          {generate.busy ? "Generating…" : "Generate code"}
        </button>
      </div>
      {generate.error && <ErrorBanner error={generate.error} />}
      {revoke.error && <ErrorBanner error={revoke.error} />}
      <ListStates resource={invites} items={invites.data} loadingLabel="Loading invite codes…" empty={<p class="muted small">No invite codes yet.</p>}>
        {(items) => (
          <table class="table responsive-table" aria-label="Invite codes">
            <TableHead columns={["Code", "State", "Details"]} actions />
            <tbody>
              {items.map((invite) => (
                <tr key={invite.id} data-invite-id={invite.id} data-invite-state={invite.state}>
                  <td data-label="Code">
                    <span class="id-cell">
                      <code class={invite.state === "unused" ? "code code-large" : "code muted"} id={`invite-${invite.id}`} {...(invite.state === "unused" ? { "data-invite-code": true } : {})}>
                        {invite.code}
                      </code>
                      {invite.state === "unused" && <CopyButton value={invite.code} targetId={`invite-${invite.id}`} label="Copy code" />}
                    </span>
                  </td>
                  <td data-label="State">
                    <span class={`pill pill-invite-${invite.state}`}>{INVITE_STATES[invite.state]}</span>
                  </td>
                  <td data-label="Details">
                    {invite.state === "unused" && <span class="muted small">Expires {dateTime(invite.expiresAt)}</span>}
                    {invite.state === "used" && (
                      <span class="small">
                        Used by <strong>{redeemerName(invite)}</strong> · <Time at={invite.redeemedAt} />
                      </span>
                    )}
                    {invite.state === "expired" && <span class="muted small">Expired {dateTime(invite.expiresAt)}, never used</span>}
                    {invite.state === "revoked" && <span class="muted small">Revoked <Time at={invite.revokedAt} /></span>}
                  </td>
                  <td data-label="Actions">
                    {invite.state === "unused" && (
                      <ConfirmButton label="Revoke" ariaLabel={`Revoke code ${invite.code}`} small title={`Revoke code ${invite.code}?`} confirmLabel="Revoke code" onConfirm={() => revokeCode(invite)}>
                        <p>Nobody can use this code any more. People already approved with other codes keep their access.</p>
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListStates>
    </section>
  );
}

const INVITE_STATES: Record<InviteCode["state"], string> = { unused: "Unused", used: "Used", expired: "Expired", revoked: "Revoked" };

function redeemerName(invite: InviteCode): string {
  const user = invite.redeemedBy;
  if (!user) return "someone";
  return user.displayName ?? (user.username ? `@${user.username}` : (user.providerUserId ?? "a removed user"));
}
