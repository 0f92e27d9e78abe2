// The agent-backend contract (SPEC §7). Each backend is a small module behind this interface;
// optional capabilities are optional methods.

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
  /** Named agent the user addressed with `@name`, if any. */
  agent?: string;
  sender: { id: string; username?: string; displayName?: string };
  channel: { id: string; provider: string };
  /** Earlier turns of this thread, oldest first, for backends without their own history. */
  history: TranscriptTurn[];
}

export interface AgentReply {
  text: string;
}

/** One workspace setting of a backend, as the admin UI shows it. */
export interface BackendField {
  name: string;
  label: string;
  type: "string" | "number" | "url";
  /** Secret fields are write-only: stored encrypted, never returned. */
  secret: boolean;
  required: boolean;
  help?: string;
}

export interface AgentBackend {
  readonly kind: string;
  readonly label: string;
  readonly fields: BackendField[];
  /** Creates the backend-side thread; returns its id, or null when Switchboard keeps history. */
  createThread?(workspace: BackendWorkspace, title: string): Promise<string | null>;
  /** Runs one turn. `onProgress` receives the text so far for backends that stream. */
  send(request: AgentRequest, onProgress?: (partial: string) => void): Promise<AgentReply>;
  /** Text to speech, OGG/Opus bytes. */
  speak?(workspace: BackendWorkspace, text: string): Promise<ArrayBuffer>;
}

/** A backend failure with a cause for the log; the user sees a short generic message. */
export class BackendError extends Error {}
