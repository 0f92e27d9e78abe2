// Log in with the admin token. The token goes to /auth/login once and is never stored by the page.
import { useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { logIn } from "../lib/session";

export function LoginPage({ onLoggedIn, notice }: { onLoggedIn: () => void; notice?: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!token.trim()) {
      setError("Enter the admin token.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await logIn(token.trim());
      setToken("");
      onLoggedIn();
    } catch (caught) {
      const status = caught instanceof ApiError ? caught.status : 0;
      setError(
        status === 401
          ? "That admin token is not right. Check ADMIN_TOKEN and try again."
          : status === 429
            ? `Too many attempts: ${(caught as Error).message.replace(/^too many login attempts; /, "")}.`
            : (caught as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="login-card" onSubmit={submit} noValidate>
        <div class="login-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <h1>Switchboard</h1>
        </div>
        <p class="muted">Sign in to manage channels and workspaces.</p>
        {notice && !error && (
          <p class="banner banner-info" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label class="field-label" for="login-token">
            Admin token
          </label>
          <input
            id="login-token"
            type="password"
            name="token"
            autocomplete="current-password"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby="login-help login-error"
            autofocus
          />
          <span class="field-help" id="login-help">
            The <code>ADMIN_TOKEN</code> secret: in <code>.dev.vars</code> locally (<code>npm run dev</code> prints it), or the value you
            set with <code>wrangler secret put ADMIN_TOKEN</code>.
          </span>
        </div>
        <div id="login-error" aria-live="assertive">
          {error && (
            <p class="banner banner-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
