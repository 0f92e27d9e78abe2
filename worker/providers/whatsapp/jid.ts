// WhatsApp JIDs (Baileys 7): users by phone number (`<digits>@s.whatsapp.net`, older `@c.us`) or by
// LID (`<id>@lid`), groups `<id>@g.us`; a device suffix (`:12`) and an agent part (`_1`) may follow
// the user. Normalised once here so the same person always has the same id.

export interface Jid {
  user: string;
  server: string;
}

export function parseJid(jid: string | null | undefined): Jid | null {
  if (!jid) return null;
  const at = jid.lastIndexOf("@");
  if (at <= 0) return null;
  const user = jid.slice(0, at).split(":")[0]!.split("_")[0]!;
  let server = jid.slice(at + 1);
  if (server === "c.us") server = "s.whatsapp.net";
  return user ? { user, server } : null;
}

/** `1555…:12@s.whatsapp.net` → `1555…@s.whatsapp.net`; null when it is no JID. */
export function normalizeJid(jid: string | null | undefined): string | null {
  const parsed = parseJid(jid);
  return parsed ? `${parsed.user}@${parsed.server}` : null;
}

export const isGroupJid = (jid: string) => jid.endsWith("@g.us");
export const isPhoneJid = (jid: string) => jid.endsWith("@s.whatsapp.net");
export const isLidJid = (jid: string) => jid.endsWith("@lid");
/** Status updates, broadcast lists, channels (newsletters), Meta AI: never a conversation with us. */
export const isNonChatJid = (jid: string) => jid.endsWith("@broadcast") || jid.endsWith("@newsletter") || jid.endsWith("@bot");

/**
 * The stable id of a person: the phone number form when WhatsApp tells it (the JID itself or its
 * alternate), else the LID. Phone numbers are what an operator recognises in an allowlist.
 */
export function personId(jid: string | null | undefined, alternate?: string | null): string | null {
  const candidates = [normalizeJid(jid), normalizeJid(alternate)].filter((value): value is string => value !== null);
  return candidates.find(isPhoneJid) ?? candidates[0] ?? null;
}

/** The digits of a phone-number JID, for display (`+15551234567`). */
export function phoneOf(jid: string): string | null {
  return isPhoneJid(jid) ? `+${jid.slice(0, jid.indexOf("@"))}` : null;
}
