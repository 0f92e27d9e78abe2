// One local HTTP server hosting the provider fakes, each under its own prefix
// (`/telegram/bot<token>/<method>`, `/telegram/__control/...`, `/slack/api/<method>`,
// `/slack/__control/...`, `/lark/open-apis/...`, `/lark/__control/...`, `/dingtalk/v1.0/...`,
// `/dingtalk/robot/sendBySession`, `/dingtalk/__control/...`), and the agent-backend fakes
// (`/openai/<scope>/v1/...`, `/anythingllm/<scope>/api/v1/...`, `/webhook-agent/<scope>`,
// `/workers-ai/__control/...` for the Workers AI stand-in), each with its own `/__control/*`.
// Discord (`/discord/<REST path>`) and Zalo (`/zalo/bot<token>/<method>`) as well, and WeChat's
// iLink bot API (`/wechat/ilink/bot/<method>`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeAnythingLlm } from "./anythingllm-api.ts";
import { FakeDiscord } from "./discord-api.ts";
import { FakeDingTalk } from "./dingtalk-api.ts";
import { FakeLark } from "./lark-api.ts";
import { FakeOpenAi } from "./openai-api.ts";
import { FakeSlack } from "./slack-api.ts";
import { FakeTelegram, type FakeTelegramOptions } from "./telegram-api.ts";
import { FakeWebhookAgent } from "./webhook-agent.ts";
import { FakeWeChat } from "./wechat-api.ts";
import { WorkersAiRecorder } from "./workers-ai-recorder.ts";
import { FakeZalo } from "./zalo-api.ts";

export interface FakeProviders {
  baseUrl: string;
  telegram: FakeTelegram;
  telegramApiBase: string;
  slack: FakeSlack;
  /** What SLACK_API_BASE is set to: the fake's `/api` root. */
  slackApiBase: string;
  lark: FakeLark;
  /** What LARK_API_BASE is set to: the fake's root, under which `/open-apis/...` is served. */
  larkApiBase: string;
  dingtalk: FakeDingTalk;
  /** What DINGTALK_API_BASE is set to; session webhooks in the tests point below it too. */
  dingtalkApiBase: string;
  openai: FakeOpenAi;
  anythingllm: FakeAnythingLlm;
  webhookAgent: FakeWebhookAgent;
  workersAi: WorkersAiRecorder;
  discord: FakeDiscord;
  discordApiBase: string;
  zalo: FakeZalo;
  zaloApiBase: string;
  wechat: FakeWeChat;
  /** What WECHAT_API_BASE is set to: the fake's root, under which `/ilink/bot/...` is served. */
  wechatApiBase: string;
  close(): Promise<void>;
}

type FakeHandler = (path: string, request: IncomingMessage, response: ServerResponse) => Promise<void>;

export async function startFakeProviders(options: { port?: number; telegram?: FakeTelegramOptions } = {}): Promise<FakeProviders> {
  const telegram = new FakeTelegram(options.telegram);
  const slack = new FakeSlack();
  const lark = new FakeLark();
  const dingtalk = new FakeDingTalk();
  const openai = new FakeOpenAi();
  const anythingllm = new FakeAnythingLlm();
  const webhookAgent = new FakeWebhookAgent();
  const workersAi = new WorkersAiRecorder();
  const discord = new FakeDiscord();
  const zalo = new FakeZalo();
  const wechat = new FakeWeChat();
  const prefixes: [string, FakeHandler][] = [
    ["/telegram", (path, request, response) => telegram.handle(path, request, response)],
    ["/slack", (path, request, response) => slack.handle(path, request, response)],
    ["/lark", (path, request, response) => lark.handle(path, request, response)],
    ["/dingtalk", (path, request, response) => dingtalk.handle(path, request, response)],
    ["/openai", (path, request, response) => openai.handle(path, request, response)],
    ["/anythingllm", (path, request, response) => anythingllm.handle(path, request, response)],
    ["/webhook-agent", (path, request, response) => webhookAgent.handle(path, request, response)],
    ["/workers-ai", (path, request, response) => workersAi.handle(path, request, response)],
    ["/discord", (path, request, response) => discord.handle(path, request, response)],
    ["/zalo", (path, request, response) => zalo.handle(path, request, response)],
    ["/wechat", (path, request, response) => wechat.handle(path, request, response)],
  ];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    const fake = prefixes.find(([prefix]) => path.startsWith(`${prefix}/`));
    const handled = fake ? fake[1](path.slice(fake[0].length), request, response) : null;
    if (!handled) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "no fake at this path" }));
      return;
    }
    handled.catch((error: Error) => {
      if (response.headersSent) return void response.destroy();
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: error.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  wechat.baseUrl = `${baseUrl}/wechat`;
  return {
    baseUrl,
    telegram,
    telegramApiBase: `${baseUrl}/telegram`,
    slack,
    slackApiBase: `${baseUrl}/slack/api`,
    lark,
    larkApiBase: `${baseUrl}/lark`,
    dingtalk,
    dingtalkApiBase: `${baseUrl}/dingtalk`,
    openai,
    anythingllm,
    webhookAgent,
    workersAi,
    discord,
    discordApiBase: `${baseUrl}/discord`,
    zalo,
    zaloApiBase: `${baseUrl}/zalo`,
    wechat,
    wechatApiBase: `${baseUrl}/wechat`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
