// Discord's wire shapes for the fake (test/fakes/discord-api.ts): route templates as Discord's
// rate-limit buckets name them, message objects, and JSON errors with `code` and `message`.
// Plain erasable TypeScript: Node runs it directly.

export interface Canned {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeDiscordMessage {
  id: string;
  channelId: string | null;
  content: string;
  flags: number;
  edits: number;
}

export interface MessageAuthor {
  applicationId: string;
  botUserId: string;
  username: string;
}

/** Route templates, as Discord's rate-limit buckets name them. */
const ROUTES = [
  "/users/@me",
  "/users/@me/channels",
  "/applications/@me",
  "/applications/:app/commands",
  "/applications/:app/guilds/:guild/commands",
  "/webhooks/:app/:token",
  "/webhooks/:app/:token/messages/:message",
  "/channels/:channel/messages",
  "/channels/:channel/messages/:message",
  "/channels/:channel/typing",
];

export function matchRoute(method: string, path: string): [string, Record<string, string>] {
  const parts = path.split("/");
  for (const template of ROUTES) {
    const pattern = template.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (pattern.every((part, index) => (part.startsWith(":") ? ((params[part.slice(1)] = decodeURIComponent(parts[index]!)), true) : part === parts[index]))) {
      return [`${method} ${template}`, params];
    }
  }
  return [`${method} ${path}`, {}];
}

export function checkContent(body: any): Canned | null {
  const content = typeof body?.content === "string" ? body.content : "";
  if (content.trim() === "") return error(400, 50006, "Cannot send an empty message");
  if ([...content].length > 2000) return invalidForm("content", "Must be 2000 or fewer in length.");
  return null;
}

export function view(app: MessageAuthor, message: FakeDiscordMessage) {
  return {
    id: message.id,
    channel_id: message.channelId,
    content: message.content,
    flags: message.flags,
    type: 0,
    author: { id: app.botUserId, username: app.username, bot: true, discriminator: "0" },
    timestamp: new Date().toISOString(),
    edited_timestamp: message.edits > 0 ? new Date().toISOString() : null,
    mentions: [],
    attachments: [],
    embeds: [],
    application_id: app.applicationId,
  };
}

export function ok(body: unknown): Canned {
  return { status: 200, body };
}

export function error(status: number, code: number, message: string): Canned {
  return { status, body: { message, code } };
}

export function invalidForm(field: string, message: string): Canned {
  return { status: 400, body: { message: "Invalid Form Body", code: 50035, errors: { [field]: { _errors: [{ code: "BASE_TYPE_INVALID", message }] } } } };
}
