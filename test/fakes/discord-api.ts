// A faithful fake of the Discord REST API (the subset Switchboard uses), served from Node under
// `/discord`. It answers like Discord — JSON errors with `code` and `message`, 429 with
// `retry_after` and Retry-After — checks what Discord checks (Bot auth, interaction tokens,
// 2,000-character content, command shapes), keeps what a user would see (the deferred answer,
// its follow-ups, channel messages), records every call and injects faults.
// Plain erasable TypeScript: Node runs it directly.
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkContent, error, invalidForm, matchRoute, ok, view, type Canned, type FakeDiscordMessage } from "./discord-wire.ts";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export interface FakeDiscordApp {
  botToken: string;
  applicationId: string;
  botUserId: string;
  username: string;
  publicKey: string;
  interactionsEndpointUrl?: string | null;
}

interface InteractionState {
  applicationId: string;
  channelId: string;
  original: FakeDiscordMessage | null;
  followups: FakeDiscordMessage[];
  expired: boolean;
}

export interface DiscordCall {
  applicationId: string | null;
  route: string;
  body: unknown;
  at: number;
}

const EPOCH = 1_420_070_400_000n;
const LOADING = 128;
const EPHEMERAL = 64;
const COMMAND_NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

export class FakeDiscord {
  readonly apps = new Map<string, FakeDiscordApp>();
  readonly calls: DiscordCall[] = [];
  readonly commands = new Map<string, unknown[]>();
  readonly interactions = new Map<string, InteractionState>();
  readonly channels = new Map<string, FakeDiscordMessage[]>();
  private readonly dmChannels = new Map<string, string>();
  private readonly faults = new Map<string, Canned[]>();
  private counter = 0n;

  /** A snowflake for now, like Discord's ids. */
  snowflake(): string {
    this.counter = (this.counter + 1n) % 4096n;
    return ((BigInt(Date.now()) - EPOCH) << 22n | this.counter).toString();
  }

  /** Answers one REST request; `path` is relative to the API base. */
  handleApi(method: string, path: string, authorization: string | undefined, body: any): Canned {
    const [route, params] = matchRoute(method, path);
    const webhook = route.includes("/webhooks/");
    const app = webhook ? this.apps.get(params.app ?? "") : [...this.apps.values()].find((item) => authorization === `Bot ${item.botToken}`);
    this.calls.push({ applicationId: app?.applicationId ?? null, route, body, at: Date.now() });
    const fault = app && this.faults.get(`${app.applicationId}|${route}`)?.shift();
    if (fault) return fault;
    if (!app) return webhook ? error(401, 50027, "Invalid Webhook Token") : error(401, 0, "401: Unauthorized");
    if (webhook) {
      const interaction = this.interactions.get(params.token ?? "");
      if (!interaction || interaction.expired || interaction.applicationId !== app.applicationId) return error(401, 50027, "Invalid Webhook Token");
      return this.webhookRoute(app, route, params, interaction, body);
    }
    switch (route) {
      case "GET /users/@me":
        return ok({ id: app.botUserId, username: app.username, global_name: null, discriminator: "0", bot: true, avatar: null, flags: 0 });
      case "GET /applications/@me":
        return ok({ id: app.applicationId, name: app.username, verify_key: app.publicKey, interactions_endpoint_url: app.interactionsEndpointUrl ?? null, bot_public: true, flags: 0, bot: { id: app.botUserId, username: app.username, bot: true } });
      case "PUT /applications/:app/commands":
      case "PUT /applications/:app/guilds/:guild/commands":
        return this.putCommands(app, params, body);
      case "POST /users/@me/channels": {
        const key = `${app.applicationId}:${body?.recipient_id}`;
        if (!/^\d+$/.test(String(body?.recipient_id ?? ""))) return invalidForm("recipient_id", "Value \"undefined\" is not snowflake.");
        if (!this.dmChannels.has(key)) this.dmChannels.set(key, this.snowflake());
        const id = this.dmChannels.get(key)!;
        this.channels.set(id, this.channels.get(id) ?? []);
        return ok({ id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: String(body.recipient_id), username: "user", discriminator: "0" }] });
      }
      case "POST /channels/:channel/messages":
        return this.createMessage(app, params.channel!, body);
      case "PATCH /channels/:channel/messages/:message":
        return this.edit(app, (this.channels.get(params.channel!) ?? []).find((item) => item.id === params.message), body);
      case "POST /channels/:channel/typing":
        return this.channels.has(params.channel!) ? { status: 204, body: null } : error(404, 10003, "Unknown Channel");
      default:
        return error(404, 0, "404: Not Found");
    }
  }

  private webhookRoute(app: FakeDiscordApp, route: string, params: Record<string, string>, interaction: InteractionState, body: any): Canned {
    const find = (id: string) => (id === "@original" || id === interaction.original?.id ? interaction.original : interaction.followups.find((item) => item.id === id)) ?? undefined;
    switch (route) {
      case "GET /webhooks/:app/:token/messages/:message": {
        const message = find(params.message!);
        return message ? ok(view(app, message)) : error(404, 10008, "Unknown Message");
      }
      case "PATCH /webhooks/:app/:token/messages/:message":
        return this.edit(app, find(params.message!), body);
      case "POST /webhooks/:app/:token": {
        const invalid = checkContent(body);
        if (invalid) return invalid;
        const message = { id: this.snowflake(), channelId: interaction.channelId, content: body.content, flags: (body.flags ?? 0) & EPHEMERAL, edits: 0 };
        interaction.followups.push(message);
        return ok(view(app, message));
      }
      default:
        return error(404, 0, "404: Not Found");
    }
  }

  private putCommands(app: FakeDiscordApp, params: Record<string, string>, body: unknown): Canned {
    if (params.app !== app.applicationId) return error(403, 50001, "Missing Access");
    if (!Array.isArray(body) || body.length > 100) return invalidForm("_errors", "Must be 100 or fewer in length.");
    for (const command of body) {
      if (!COMMAND_NAME.test(String(command?.name))) return invalidForm("name", "Command name is invalid");
      const description = String(command?.description ?? "");
      if (description.length < 1 || description.length > 100) return invalidForm("description", "Must be between 1 and 100 in length.");
      for (const option of command.options ?? []) if (!COMMAND_NAME.test(String(option?.name))) return invalidForm("options", "Option name is invalid");
    }
    const scope = params.guild ? `guild:${params.guild}` : "global";
    this.commands.set(`${app.applicationId}|${scope}`, body);
    return ok(body.map((command: object) => ({ id: this.snowflake(), application_id: app.applicationId, version: this.snowflake(), type: 1, ...command })));
  }

  private createMessage(app: FakeDiscordApp, channelId: string, body: any): Canned {
    const messages = this.channels.get(channelId);
    if (!messages) return error(404, 10003, "Unknown Channel");
    const invalid = checkContent(body);
    if (invalid) return invalid;
    const message = { id: this.snowflake(), channelId, content: body.content, flags: 0, edits: 0 };
    messages.push(message);
    return ok(view(app, message));
  }

  private edit(app: FakeDiscordApp, message: FakeDiscordMessage | null | undefined, body: any): Canned {
    if (!message) return error(404, 10008, "Unknown Message");
    const invalid = checkContent(body);
    if (invalid) return invalid;
    message.content = body.content;
    message.flags &= ~LOADING;
    message.edits += 1;
    return ok(view(app, message));
  }

  /** Discord read our answer to an interaction: a deferred one creates the "thinking…" placeholder. */
  acknowledge(input: { applicationId: string; token: string; channelId: string; dmUserId?: string; ack: { type: number; data?: { content?: string; flags?: number } } }): void {
    const flags = (input.ack.data?.flags ?? 0) & EPHEMERAL;
    const original =
      input.ack.type === 5 ? { id: this.snowflake(), channelId: input.channelId, content: "", flags: flags | LOADING, edits: 0 }
      : input.ack.type === 4 ? { id: this.snowflake(), channelId: input.channelId, content: input.ack.data?.content ?? "", flags, edits: 0 }
      : null;
    this.interactions.set(input.token, { applicationId: input.applicationId, channelId: input.channelId, original, followups: [], expired: false });
    this.channels.set(input.channelId, this.channels.get(input.channelId) ?? []);
    // In a DM with the bot, the interaction's channel is the bot's DM channel with the user.
    if (input.dmUserId) this.dmChannels.set(`${input.applicationId}:${input.dmUserId}`, input.channelId);
  }

  /** Node HTTP handler for the API and the `/__control/*` endpoints. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const body = parseJson(await readRawBody(request)) as any;
    if (!url.pathname.startsWith("/__control/")) {
      const result = this.handleApi(request.method ?? "GET", url.pathname, request.headers.authorization, body);
      if (result.status === 204) return void response.writeHead(204, result.headers).end();
      return sendJson(response, result.status, result.body, result.headers);
    }
    const query = Object.fromEntries(url.searchParams);
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/apps":
        this.apps.set(body.applicationId, body as FakeDiscordApp);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/endpoint":
        this.apps.get(body.applicationId)!.interactionsEndpointUrl = body.url;
        return sendJson(response, 200, { ok: true });
      case "POST /__control/acknowledge":
        this.acknowledge(body);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/expire":
        this.interactions.get(body.token)!.expired = true;
        return sendJson(response, 200, { ok: true });
      case "POST /__control/faults": {
        const key = `${body.applicationId}|${body.route}`;
        this.faults.set(key, [...(this.faults.get(key) ?? []), ...body.responses]);
        return sendJson(response, 200, { ok: true });
      }
      case "GET /__control/calls":
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.applicationId === query.app && (!query.route || call.route === query.route)) });
      case "GET /__control/commands":
        return sendJson(response, 200, { commands: this.commands.get(`${query.app}|${query.scope}`) ?? null });
      case "GET /__control/interaction": {
        const interaction = this.interactions.get(query.token ?? "");
        return sendJson(response, 200, interaction ? { original: interaction.original, followups: interaction.followups } : { original: null, followups: [] });
      }
      case "GET /__control/channel":
        return sendJson(response, 200, { messages: this.channels.get(query.id ?? "") ?? [] });
      case "GET /__control/dm":
        return sendJson(response, 200, { channelId: this.dmChannels.get(`${query.app}:${query.user}`) ?? null });
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}
