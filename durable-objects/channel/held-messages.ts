// Messages a user sent while their pairing request waits: every one is kept on the request (up to
// a bound) and answered, in order, once an admin approves.
import { eq } from "drizzle-orm";
import { chatKeyOf, type InboundMessage } from "../../worker/core/types";
import type { Db } from "../../worker/db/client";
import { heldMessagesOf, type PairingRequestRow } from "../../worker/db/pairing";
import { pairingRequests } from "../../worker/db/schema";
import type { LocalStore } from "./local-store";

/** Messages held per request; later ones are logged and not answered on approval. */
export const MAX_HELD_MESSAGES = 20;


/** Adds a message to a pending request; false when the request already holds the most it may. */
export async function holdMessage(db: Db, request: PairingRequestRow, message: InboundMessage): Promise<boolean> {
  const held = heldMessagesOf(request.heldMessage);
  // A redelivered (or retried) event is held once.
  if (held.some((item) => item.eventId === message.eventId)) return true;
  if (held.length >= MAX_HELD_MESSAGES) return false;
  await db
    .update(pairingRequests)
    .set({ heldMessage: [...held, message] as unknown as Record<string, unknown>[] })
    .where(eq(pairingRequests.id, request.id));
  return true;
}

/**
 * Queues every held message again, in the order they were sent, under ids of their own (the first
 * keeps the id earlier releases used), so each is answered once even if approval is repeated.
 */
export function requeueHeld(store: LocalStore, request: Pick<PairingRequestRow, "id" | "address" | "heldMessage">): number {
  const held = heldMessagesOf(request.heldMessage);
  held.forEach((item, index) => {
    const eventId = index === 0 ? `pairing:${request.id}:held` : `pairing:${request.id}:held:${index}`;
    // Held by an earlier release, a message has no address: it was the DM's chat id.
    const message: InboundMessage = { ...item, address: item.address ?? request.address, eventId };
    store.addInbound(eventId, chatKeyOf(message), message);
  });
  return held.length;
}
