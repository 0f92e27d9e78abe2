// Voice replies: text to an OGG/Opus voice note (what Telegram's sendVoice plays inline), from
// Workers AI's Deepgram Aura or an OpenAI-compatible /audio/speech. Settings live in the
// workspace config under `speech` — { engine: "workers-ai" | "openai", model?, voice?, baseUrl? }
// — with the key in the workspace secret `speechApiKey`. Workers have no ffmpeg, so both engines
// are asked for Opus in OGG directly; nothing is transcoded.
import * as z from "zod";
import { httpUrl, optionalText } from "./config";
import { backendFetch, bearer, errorFromResponse, joinUrl, toBackendError, type BackendCall } from "./http";
import { raceAbort, runWorkersAi } from "./workers-ai";
import { BackendError, type BackendEnv, type BackendField, type SpeechAudio } from "./types";

export const DEFAULT_AURA_MODEL = "@cf/deepgram/aura-1";
export const DEFAULT_OPENAI_SPEECH_BASE = "https://api.openai.com/v1";
export const DEFAULT_OPENAI_SPEECH_MODEL = "tts-1";
export const DEFAULT_OPENAI_VOICE = "alloy";
/** OpenAI's input limit is 4096 characters; Aura's is similar. */
export const MAX_SPEECH_CHARS = 4000;

const speechSchema = z.object({
  engine: z.enum(["workers-ai", "openai"]).default("workers-ai"),
  model: optionalText,
  voice: optionalText,
  baseUrl: z.preprocess((value) => (value === "" || value === null ? undefined : value), httpUrl.optional()),
});
export type SpeechConfig = z.infer<typeof speechSchema>;

/**
 * The speech settings for the admin UI. They are nested under `config.speech` (dotted names
 * here), so they are not part of any backend's flat `fields`; the key is a workspace secret.
 */
export const speechFields: BackendField[] = [
  {
    name: "speech.engine",
    label: "Voice engine",
    type: "string",
    secret: false,
    required: false,
    help: "workers-ai (Deepgram Aura via the AI binding, the default) or openai (any OpenAI-compatible /audio/speech).",
    options: ["workers-ai", "openai"],
  },
  { name: "speech.model", label: "Voice model", type: "string", secret: false, required: false, help: `Default ${DEFAULT_AURA_MODEL} or ${DEFAULT_OPENAI_SPEECH_MODEL}.` },
  { name: "speech.voice", label: "Voice", type: "string", secret: false, required: false, help: "Aura speaker (e.g. asteria, orion) or OpenAI voice (e.g. alloy, nova)." },
  {
    name: "speech.baseUrl",
    label: "Speech server base URL",
    type: "url",
    secret: false,
    required: false,
    help: `openai engine only, up to /v1; default ${DEFAULT_OPENAI_SPEECH_BASE}.`,
  },
  {
    name: "speechApiKey",
    label: "Speech API key",
    type: "string",
    secret: true,
    required: false,
    help: "openai engine only. Empty: the workspace's apiKey is used when the speech server is the chat server.",
  },
];

/** Reads `config.speech` (absent means Workers AI Aura with its defaults); invalid settings throw BackendError. */
export function readSpeechConfig(config: Record<string, unknown>): SpeechConfig {
  const parsed = speechSchema.safeParse(config.speech ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `speech.${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new BackendError(`voice settings are invalid: ${problems}`);
  }
  return parsed.data;
}

/**
 * Why voice notes could not be spoken with these settings here, or null when nothing is known to
 * be missing (the admin UI warns before voice replies are turned on).
 */
export function speechProblem(config: Record<string, unknown>, secrets: Record<string, unknown>, env: BackendEnv): string | null {
  let speech: SpeechConfig;
  try {
    speech = readSpeechConfig(config);
  } catch (error) {
    return (error as Error).message;
  }
  if (speech.engine !== "openai") {
    return env.AI
      ? null
      : 'the voice engine is Workers AI, but this deployment has no AI binding: add [ai] binding = "AI" to wrangler.toml, or choose the openai engine on the workspace page';
  }
  const base = speech.baseUrl ?? DEFAULT_OPENAI_SPEECH_BASE;
  if (base.replace(/\/+$/, "") === DEFAULT_OPENAI_SPEECH_BASE.replace(/\/+$/, "") && !speechKey(base, config, secrets)) {
    return "the openai voice engine has no API key: set the Speech API key on the workspace page";
  }
  return null;
}

/**
 * Speaks a reply for a voice note. `config` and `secrets` are the workspace's; text longer than
 * MAX_SPEECH_CHARS is cut at a sentence end. Throws BackendError; the caller has already sent
 * the text reply, so a failure here only loses the voice note.
 */
export async function synthesize(
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
  text: string,
  env: BackendEnv,
  signal: AbortSignal,
): Promise<SpeechAudio> {
  const speech = readSpeechConfig(config);
  const input = speakableText(text);
  if (!input) throw new BackendError("nothing to speak: the reply has no text");
  return speech.engine === "openai" ? openAiSpeech(speech, config, secrets, input, signal) : auraSpeech(speech, input, env, signal);
}

async function auraSpeech(speech: SpeechConfig, input: string, env: BackendEnv, signal: AbortSignal): Promise<SpeechAudio> {
  const model = speech.model ?? DEFAULT_AURA_MODEL;
  const call: BackendCall = { service: `Workers AI (${model})`, secrets: [], signal };
  const result = await runWorkersAi(env, model, { text: input, encoding: "opus", container: "ogg", ...(speech.voice ? { speaker: speech.voice } : {}) }, call);
  try {
    return await raceAbort(toAudio(result, call), signal);
  } catch (error) {
    throw toBackendError(error, call, "the audio broke off");
  }
}

async function openAiSpeech(
  speech: SpeechConfig,
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
  input: string,
  signal: AbortSignal,
): Promise<SpeechAudio> {
  const base = speech.baseUrl ?? DEFAULT_OPENAI_SPEECH_BASE;
  const apiKey = speechKey(base, config, secrets);
  const call: BackendCall = { service: "the speech server", secrets: [apiKey], signal };
  const response = await backendFetch(
    joinUrl(base, "audio/speech"),
    {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(apiKey) },
      body: JSON.stringify({
        model: speech.model ?? DEFAULT_OPENAI_SPEECH_MODEL,
        input,
        voice: speech.voice ?? DEFAULT_OPENAI_VOICE,
        response_format: "opus",
      }),
    },
    call,
  );
  if (!response.ok) throw await errorFromResponse(response, call);
  try {
    return await toAudio(response, call);
  } catch (error) {
    throw toBackendError(error, call, "the audio broke off");
  }
}

/**
 * `speechApiKey`, else the chat `apiKey` — but only when the speech server is the chat server,
 * so a key is never sent somewhere it was not configured for.
 */
function speechKey(base: string, config: Record<string, unknown>, secrets: Record<string, unknown>): string | undefined {
  const own = secrets.speechApiKey;
  if (typeof own === "string" && own.trim()) return own.trim();
  const chatKey = secrets.apiKey;
  const chatBase = typeof config.baseUrl === "string" ? config.baseUrl : "";
  const same = chatBase.replace(/\/+$/, "") === base.replace(/\/+$/, "");
  return same && typeof chatKey === "string" && chatKey.trim() ? chatKey.trim() : undefined;
}

/** Normalises what TTS returns — a stream, a Response, bytes, or MeloTTS's base64 — to bytes and a mime type. */
async function toAudio(result: unknown, call: BackendCall): Promise<SpeechAudio> {
  let bytes: Uint8Array;
  let declared = "";
  if (result instanceof Response) {
    if (!result.ok) throw await errorFromResponse(result, call);
    declared = result.headers.get("content-type") ?? "";
    bytes = new Uint8Array(await result.arrayBuffer());
  } else if (result instanceof ReadableStream) {
    bytes = new Uint8Array(await new Response(result).arrayBuffer());
  } else if (result instanceof Uint8Array) {
    bytes = result;
  } else if (result instanceof ArrayBuffer) {
    bytes = new Uint8Array(result);
  } else if (result && typeof result === "object" && typeof (result as { audio?: unknown }).audio === "string") {
    bytes = Uint8Array.from(atob((result as { audio: string }).audio), (char) => char.charCodeAt(0));
  } else {
    throw new BackendError(`${call.service} returned no audio`);
  }
  if (bytes.length === 0) throw new BackendError(`${call.service} returned no audio`);
  return { bytes, mime: sniffAudioMime(bytes) ?? (declared.split(";")[0]!.trim() || "application/octet-stream") };
}

/** The container from the first bytes: OGG ("OggS") or MP3 (ID3 tag or an MPEG frame sync). */
export function sniffAudioMime(bytes: Uint8Array): string | null {
  if (bytes[0] === 0x4f && bytes[1] === 0x67 && bytes[2] === 0x67 && bytes[3] === 0x53) return "audio/ogg";
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return "audio/mpeg";
  if (bytes[0] === 0xff && bytes[1] !== undefined && (bytes[1] & 0xe0) === 0xe0) return "audio/mpeg";
  return null;
}

/**
 * What a voice should read: markdown markers and link targets removed, and at most
 * MAX_SPEECH_CHARS characters, cut after the last sentence that fits (or at a word when no
 * sentence ends in the second half).
 */
export function speakableText(text: string): string {
  const plain = text
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .replace(/(\*\*|__|`|^#+\s*)/gm, "")
    .replace(/[ \t]+/g, " ")
    .trim();
  if (plain.length <= MAX_SPEECH_CHARS) return plain;
  const head = plain.slice(0, MAX_SPEECH_CHARS);
  let cut = -1;
  for (const match of head.matchAll(/[.!?…。](?=\s|$)|\n/g)) cut = match.index + match[0].length;
  if (cut < MAX_SPEECH_CHARS / 2) cut = head.lastIndexOf(" ");
  return (cut > 0 ? head.slice(0, cut) : head).trim();
}
