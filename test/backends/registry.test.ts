// Every backend kind is registered and describes its settings for the admin UI.
import { describe, expect, it } from "vitest";
import { backendKinds, getBackend, listBackends } from "../../worker/backends/registry";
import { speechFields } from "../../worker/backends/speech";

describe("backend registry", () => {
  it("offers echo first, then the real backends", () => {
    expect(backendKinds).toEqual(["echo", "openai", "anythingllm", "workers-ai", "webhook"]);
    expect(listBackends().map((backend) => backend.kind)).toEqual(backendKinds);
    expect(() => getBackend("dify")).toThrow('unknown agent backend "dify"');
  });

  it("marks keys and signing secrets as secret fields, and nothing else", () => {
    const secrets = listBackends().flatMap((backend) => backend.fields.filter((field) => field.secret).map((field) => `${backend.kind}.${field.name}`));
    expect(secrets).toEqual(["openai.apiKey", "anythingllm.apiKey", "webhook.signingSecret"]);
    expect(speechFields.filter((field) => field.secret).map((field) => field.name)).toEqual(["speechApiKey"]);
  });

  it("gives every field a label and unique name", () => {
    for (const backend of listBackends()) {
      const names = backend.fields.map((field) => field.name);
      expect(new Set(names).size, backend.kind).toBe(names.length);
      for (const field of backend.fields) expect(field.label, `${backend.kind}.${field.name}`).not.toBe("");
    }
  });
});
