// The `webhook` backend: each message is POSTed as signed JSON to the operator's URL. The agent
// answers in the response, or answers later through the push API (an empty reply). The signature
// scheme is documented in docs/backends.md so receivers can verify it:
//   X-Switchboard-Timestamp: <unix seconds>
//   X-Switchboard-Signature: v1=<hex HMAC-SHA256(signingSecret, timestamp + "." + raw body)>
import * as z from "zod";
import { httpUrl, parseConfig, secretString } from "./config";
import { backendFetch, describeUrl, errorFromResponse, toBackendError, type BackendCall } from "./http";
import { redact } from "./redact";
import { BackendError, type AgentBackend, type AgentRequest } from "./types";

const LABEL = "Webhook";
const SERVICE = "the webhook";

const configSchema = z.object({ url: httpUrl });
const replySchema = z.object({ text: z.string() });

export const webhookBackend: AgentBackend = {
  kind: "webhook",
  label: "Webhook (your own agent)",
  fields: [
    { name: "url", label: "Webhook URL", type: "url", secret: false, required: true, help: "Receives each message as signed JSON (see docs/backends.md)." },
    {
      name: "signingSecret",
      label: "Signing secret",
      type: "string",
      secret: true,
      required: true,
      help: "Shared with your receiver, which checks X-Switchboard-Signature with it.",
    },
  ],

  /**
   * Delivers one message. `{ "text": "…" }` is the answer; an empty text, 202 or 204 means "no
   * reply now" (the agent may answer later through the push API) and the core sends nothing.
   */
  async send(request, { signal }) {
    const { url } = parseConfig(configSchema, request.workspace.config, LABEL);
    const secret = secretString(request.workspace.secrets, "signingSecret");
    if (!secret) throw new BackendError(`${LABEL} settings are incomplete or invalid: signingSecret: is required`);
    const call: BackendCall = { service: SERVICE, secrets: [secret], signal, refusedMeaning: "the receiver refused the request: check the signing secret" };

    const body = JSON.stringify(webhookPayload(request));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await backendFetch(
      url,
      {
        method: "POST",
        // A redirect would turn the POST into a GET and lose the message: report it instead.
        redirect: "manual",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/plain",
          "user-agent": "Switchboard-Webhook/1",
          "x-switchboard-timestamp": timestamp,
          "x-switchboard-signature": await signWebhook(secret, timestamp, body),
        },
        body,
      },
      call,
    );
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new BackendError(`${SERVICE} at ${describeUrl(url)} answered ${response.status} (a redirect): configure the final URL`);
    }
    if (!response.ok) throw await errorFromResponse(response, call);
    return { text: await replyText(response, call) };
  },
};

/** The JSON body a webhook receives (documented in docs/backends.md). */
export function webhookPayload(request: AgentRequest): Record<string, unknown> {
  return {
    workspace: { id: request.workspace.id, name: request.workspace.name },
    thread: { id: request.thread.id, title: request.thread.title },
    message: request.message,
    sender: request.sender,
    channel: request.channel,
    ...(request.agent ? { agent: request.agent } : {}),
  };
}

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: binds the body to the time it was sent. */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`)));
  return `v1=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

async function replyText(response: Response, call: BackendCall): Promise<string> {
  if (response.status === 202 || response.status === 204) {
    await response.body?.cancel();
    return "";
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    throw toBackendError(error, call, "the answer broke off");
  }
  if (body.trim() === "") return "";
  const contentType = response.headers.get("content-type") ?? "";
  if (contentType.startsWith("text/plain")) return body.trim();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) {
    throw new BackendError(`${SERVICE} answered ${response.status} without a JSON { "text": … } body: ${redact(body, call.secrets)}`);
  }
  return parsed.data.text.trim();
}
