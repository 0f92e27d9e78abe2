// Values test/global-setup.ts provides to the test configuration.
declare module "vitest" {
  export interface ProvidedContext {
    fakesBase: string;
    telegramApiBase: string;
    slackApiBase: string;
    discordApiBase: string;
    zaloApiBase: string;
    larkApiBase: string;
    dingtalkApiBase: string;
  }
}
export {};
