// The agent-backend contract. Each backend is a small module behind this interface;
// optional capabilities are optional methods.

/** Bindings a backend may use (Workers AI). Provider and backend URLs come from workspace config. */
export interface BackendEnv {
  AI?: { run(model: string, input: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown> };
}

export interface BackendWorkspace {
  id: string;
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

export interface BackendThread {
  id: string;
  title: string;
  /** The backend's own id for this thread, when it keeps history itself. */
  backendRef: string | null;
}

export interface TranscriptTurn {
  role: "user" | "assistant";
  text: string;
}

export interface AgentRequest {
  workspace: BackendWorkspace;
  thread: BackendThread;
  message: string;
  /** Named agent the user addressed with `@name`, if any (the text still starts with it). */
  agent?: string;
  sender: { id: string; username?: string; displayName?: string };
  channel: { id: string; provider: string };
  /** Earlier turns of this thread, oldest first, for backends without their own history. */
  history: TranscriptTurn[];
}

export interface AgentReply {
  /** The complete answer, cleaned for chat (no `<think>` sections). */
  text: string;
}

/** How a run is carried out: bindings, cancellation, and progress for streaming backends. */
export interface RunContext {
  env: BackendEnv;
  signal: AbortSignal;
  /** Called with the whole answer so far (not a delta) as a streaming backend produces it. */
  onProgress?: (textSoFar: string) => void;
}

/** One workspace setting of a backend, as the admin UI shows it. */
export interface BackendField {
  name: string;
  label: string;
  /** `text` is multi-line (system prompts). */
  type: "string" | "number" | "url" | "text";
  /** Secret fields are write-only: stored encrypted, never returned. */
  secret: boolean;
  required: boolean;
  help?: string;
  /** The allowed values, when the setting is a choice (the admin UI shows a select). */
  options?: string[];
}

export interface AgentBackend {
  readonly kind: string;
  readonly label: string;
  readonly fields: BackendField[];
  /** Checks that the configuration reaches a working backend; throws BackendError saying why. */
  test?(workspace: BackendWorkspace, env: BackendEnv): Promise<void>;
  /** Creates the backend-side thread; returns its id, or null when Switchboard keeps history. */
  createThread?(workspace: BackendWorkspace, title: string, env: BackendEnv): Promise<string | null>;
  /**
   * How many earlier turns `send` wants in `request.history`. Backends without it get none:
   * they keep history themselves, or need none — and the transcript is then not even read.
   */
  historyTurns?(workspace: BackendWorkspace): number;
  /** Runs one turn and resolves with the complete answer. */
  send(request: AgentRequest, context: RunContext): Promise<AgentReply>;
}

/** A backend failure. `message` is for the log (never a secret); the user sees a generic line. */
export class BackendError extends Error {}

/** Synthesised speech for voice replies. */
export interface SpeechAudio {
  bytes: Uint8Array;
  /** e.g. `audio/ogg` (OGG/Opus, a Telegram voice note) or `audio/mpeg`. */
  mime: string;
}
