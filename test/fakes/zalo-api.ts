// A faithful fake of the Zalo Bot Platform API (the subset Switchboard uses), served from Node
// under `/zalo`: `POST /bot<token>/<method>` with JSON, answered with `{ ok, result }` or
// `{ ok: false, error_code, description }`. It validates what Zalo documents (an HTTPS webhook URL,
// an 8–256 character secret, 1–2,000 character texts), records calls and injects faults. The tests
// play Zalo delivering updates themselves (test/support/zalo.ts).
// Plain erasable TypeScript: Node runs it directly.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export interface FakeZaloBot {
  token: string;
  id: string;
  accountName: string;
}

interface Canned {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ZaloCall {
  token: string;
  method: string;
  params: Record<string, any>;
  at: number;
}

export class FakeZalo {
  readonly bots = new Map<string, FakeZaloBot>();
  readonly calls: ZaloCall[] = [];
  readonly webhooks = new Map<string, { url: string; secret: string; updatedAt: number }>();
  private readonly faults = new Map<string, Canned[]>();

  handleApi(token: string, method: string, params: Record<string, any>): Canned {
    this.calls.push({ token, method, params, at: Date.now() });
    const fault = this.faults.get(`${token}/${method}`)?.shift();
    if (fault) return fault;
    const bot = this.bots.get(token);
    if (!bot) return error(401, "Unauthorized");
    switch (method) {
      case "getMe":
        return ok({ id: bot.id, account_name: bot.accountName, account_type: "BASIC", can_join_groups: true });
      case "setWebhook": {
        const url = String(params.url ?? "");
        const secret = String(params.secret_token ?? "");
        if (!url.startsWith("https://")) return error(400, "url must be an HTTPS URL");
        if (secret.length < 8 || secret.length > 256) return error(400, "secret_token must be 8 to 256 characters");
        const hook = { url, secret, updatedAt: Date.now() };
        this.webhooks.set(token, hook);
        return ok({ url, updated_at: hook.updatedAt });
      }
      case "deleteWebhook":
        this.webhooks.delete(token);
        return ok({ url: "", updated_at: Date.now() });
      case "getWebhookInfo": {
        const hook = this.webhooks.get(token);
        return ok({ url: hook?.url ?? "", updated_at: hook?.updatedAt ?? 0 });
      }
      case "sendMessage": {
        if (!params.chat_id) return error(400, "chat_id is required");
        const text = typeof params.text === "string" ? params.text : "";
        if ([...text].length < 1 || [...text].length > 2000) return error(400, "text must be 1 to 2000 characters");
        return ok({ message_id: crypto.randomUUID().replaceAll("-", "").slice(0, 20), date: Date.now() });
      }
      case "sendChatAction":
        if (!params.chat_id || params.action !== "typing") return error(400, "invalid chat_id or action");
        return { status: 200, body: { ok: true } };
      default:
        return error(404, "Not Found");
    }
  }

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const body = (parseJson(await readRawBody(request)) ?? {}) as any;
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (api) {
      const result = this.handleApi(decodeURIComponent(api[1]!), api[2]!, body);
      return sendJson(response, result.status, result.body, result.headers);
    }
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/bots":
        this.bots.set(body.token, body as FakeZaloBot);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls": {
        const { token, method } = Object.fromEntries(url.searchParams);
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.token === token && (!method || call.method === method)) });
      }
      case "POST /__control/faults": {
        const key = `${body.token}/${body.method}`;
        this.faults.set(key, [...(this.faults.get(key) ?? []), ...body.responses]);
        return sendJson(response, 200, { ok: true });
      }
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

function ok(result: unknown): Canned {
  return { status: 200, body: { ok: true, result } };
}

function error(code: number, description: string): Canned {
  return { status: code, body: { ok: false, error_code: code, description } };
}
