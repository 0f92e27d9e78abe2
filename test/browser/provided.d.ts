// Values test/browser/global-setup.ts provides to the browser tests.
declare module "vitest" {
  export interface ProvidedContext {
    appBaseUrl: string;
    appAdminToken: string;
    browserFakesBase: string;
    appBridgeSecret: string;
  }
}
export {};
