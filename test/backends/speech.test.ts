// Voice replies: Workers AI Aura through the stand-in binding and an OpenAI-compatible
// /audio/speech on the fake server, both asked for OGG/Opus; long text cut at a sentence.
import { describe, expect, it } from "vitest";
import { MAX_SPEECH_CHARS, readSpeechConfig, speakableText, sniffAudioMime, synthesize } from "../../worker/backends/speech";
import { AI_NOT_BOUND } from "../../worker/backends/workers-ai";
import { backendError, context, fakeOpenAi, workersAiMarker } from "../support/backend-fakes";

const OGG_MAGIC = [0x4f, 0x67, 0x67, 0x53]; // "OggS"

function signal() {
  return AbortSignal.timeout(10_000);
}

describe("speech: Workers AI Aura", () => {
  it("asks Aura for Opus in OGG by default and returns the bytes as audio/ogg", async () => {
    const run = workersAiMarker();
    const audio = await synthesize({}, {}, `Hello there. ${run.marker}`, context().env, signal());
    expect(audio.mime).toBe("audio/ogg");
    expect([...audio.bytes.slice(0, 4)]).toEqual(OGG_MAGIC);
    expect(new TextDecoder().decode(audio.bytes.slice(28, 36))).toBe("OpusHead");
    const [call] = await run.calls();
    expect(call!.model).toBe("@cf/deepgram/aura-1");
    expect(call!.inputs).toEqual({ text: `Hello there. ${run.marker}`, encoding: "opus", container: "ogg" });
  });

  it("passes the configured model and speaker", async () => {
    const run = workersAiMarker();
    await synthesize({ speech: { engine: "workers-ai", model: "@cf/deepgram/aura-2-en", voice: "luna" } }, {}, run.marker, context().env, signal());
    const [call] = await run.calls();
    expect(call!.model).toBe("@cf/deepgram/aura-2-en");
    expect(call!.inputs.speaker).toBe("luna");
  });

  it("says how to add the binding when it is missing", async () => {
    expect(await backendError(synthesize({}, {}, "hi", {}, signal()))).toBe(AI_NOT_BOUND);
  });

  it("reports the binding's failure", async () => {
    const run = workersAiMarker();
    await run.fault({ error: "AiError: 3030: Internal error" });
    expect(await backendError(synthesize({}, {}, run.marker, context().env, signal()))).toContain("3030: Internal error");
  });
});

describe("speech: OpenAI-compatible /audio/speech", () => {
  it("posts model, input, voice and response_format opus with the speech key, and returns OGG bytes", async () => {
    const fake = await fakeOpenAi({ apiKey: "sk-speech-key" });
    const config = { speech: { engine: "openai", baseUrl: fake.baseUrl, model: "gpt-4o-mini-tts", voice: "nova" } };
    const audio = await synthesize(config, { speechApiKey: "sk-speech-key" }, "**Done.** See [the docs](https://example.com).", {}, signal());
    expect(audio.mime).toBe("audio/ogg");
    expect([...audio.bytes.slice(0, 4)]).toEqual(OGG_MAGIC);
    const [call] = await fake.calls("audio/speech");
    expect(call!.authorization).toBe("Bearer sk-speech-key");
    expect(call!.body).toEqual({ model: "gpt-4o-mini-tts", input: "Done. See the docs.", voice: "nova", response_format: "opus" });
  });

  it("uses defaults for model and voice", async () => {
    const fake = await fakeOpenAi({ apiKey: "sk-speech-key" });
    await synthesize({ speech: { engine: "openai", baseUrl: fake.baseUrl } }, { speechApiKey: "sk-speech-key" }, "Hi.", {}, signal());
    expect((await fake.calls("audio/speech"))[0]!.body).toMatchObject({ model: "tts-1", voice: "alloy" });
  });

  it("reuses the chat key only when the speech server is the chat server", async () => {
    const fake = await fakeOpenAi({ apiKey: "sk-chat-key" });
    const sameServer = { baseUrl: `${fake.baseUrl}/`, model: "gpt-test", speech: { engine: "openai", baseUrl: fake.baseUrl } };
    await synthesize(sameServer, { apiKey: "sk-chat-key" }, "Hi.", {}, signal());
    expect((await fake.calls("audio/speech"))[0]!.authorization).toBe("Bearer sk-chat-key");

    const otherServer = { baseUrl: "https://chat.example.com/v1", model: "m", speech: { engine: "openai", baseUrl: fake.baseUrl } };
    const message = await backendError(synthesize(otherServer, { apiKey: "sk-chat-key" }, "Hi.", {}, signal()));
    expect(message).toContain("401");
    expect((await fake.calls("audio/speech"))[1]!.authorization).toBeNull();
  });

  it("cuts text longer than the limit after a sentence", async () => {
    const fake = await fakeOpenAi({ apiKey: null });
    const sentence = "This sentence is exactly fifty characters long!!. ";
    await synthesize({ speech: { engine: "openai", baseUrl: fake.baseUrl } }, {}, sentence.repeat(100), {}, signal());
    const input = (await fake.calls("audio/speech"))[0]!.body.input as string;
    expect(input.length).toBeLessThanOrEqual(MAX_SPEECH_CHARS);
    expect(input.length).toBeGreaterThan(MAX_SPEECH_CHARS - 60);
    expect(input.endsWith("!!.")).toBe(true);
  });

  it("reports the server's error without the key", async () => {
    const fake = await fakeOpenAi({ apiKey: "sk-speech-key" });
    await fake.fault("audio/speech", { status: 429, body: { error: { message: "You exceeded your current quota" } } });
    const message = await backendError(
      synthesize({ speech: { engine: "openai", baseUrl: fake.baseUrl } }, { speechApiKey: "sk-speech-key" }, "Hi.", {}, signal()),
    );
    expect(message).toBe("the speech server answered 429 (rate limited or out of quota): You exceeded your current quota");
  });
});

describe("speech: settings and text", () => {
  it("defaults to Workers AI and rejects unknown engines", () => {
    expect(readSpeechConfig({})).toEqual({ engine: "workers-ai" });
    expect(() => readSpeechConfig({ speech: { engine: "elevenlabs" } })).toThrow(/speech\.engine/);
  });

  it("refuses to speak an empty reply", async () => {
    expect(await backendError(synthesize({}, {}, "```\ncode only\n```", context().env, signal()))).toContain("nothing to speak");
  });

  it("keeps a long text whole up to the limit and falls back to a word boundary", () => {
    expect(speakableText("# Title\nShort.")).toBe("Title\nShort.");
    const words = "word ".repeat(1000);
    const cut = speakableText(words);
    expect(cut.length).toBeLessThanOrEqual(MAX_SPEECH_CHARS);
    expect(cut.endsWith("word")).toBe(true);
  });

  it("recognises OGG and MP3 by their first bytes", () => {
    expect(sniffAudioMime(Uint8Array.from([...OGG_MAGIC, 0]))).toBe("audio/ogg");
    expect(sniffAudioMime(Uint8Array.from([0x49, 0x44, 0x33, 4]))).toBe("audio/mpeg");
    expect(sniffAudioMime(Uint8Array.from([0xff, 0xfb, 0x90]))).toBe("audio/mpeg");
    expect(sniffAudioMime(Uint8Array.from([0x52, 0x49, 0x46, 0x46]))).toBeNull();
  });
});
