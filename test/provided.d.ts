// Values test/global-setup.ts provides to the test configuration.
declare module "vitest" {
  export interface ProvidedContext {
    fakesBase: string;
    telegramApiBase: string;
    slackApiBase: string;
    larkApiBase: string;
    dingtalkApiBase: string;
  }
}
export {};
