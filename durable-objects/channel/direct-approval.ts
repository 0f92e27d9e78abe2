// An admin approves a waiting user directly from the Users list: someone who wrote but holds no
// pairing request (a failed invite code, an expired request). A user who does hold one is
// approved through it, so what they sent while waiting is answered too.
import { findPendingRequest } from "../../worker/db/pairing";
import { approveUser, getUser } from "../../worker/db/users";
import { decidePairing, type OperationResult } from "./admin-decisions";
import { ReplySink, type ChannelDeps } from "./deps";
import { publicName, texts } from "./texts";

export async function approveWaitingUser(deps: ChannelDeps, userId: string): Promise<OperationResult> {
  const { db, runtime } = deps;
  const user = await getUser(db, runtime.row.id, userId);
  if (!user) return { ok: false, status: 404, error: "user not found" };
  if (user.state !== "pending") return { ok: false, status: 409, error: `user is already ${user.state}` };
  const request = await findPendingRequest(db, user.id);
  if (request) return decidePairing(deps, request.id, "approved");
  await approveUser(db, user.id);
  deps.cache.clear();
  if (user.dmAddress) new ReplySink(deps, `approval:${user.id}`, user.dmAddress).send(texts.pairingApproved(publicName(runtime)));
  const name = user.username ? `@${user.username}` : (user.displayName ?? user.providerUserId);
  deps.log("info", "pairing.approved", `${name} approved by an admin (no pairing request)`, { user: user.id });
  return { ok: true };
}
