// Sign in with the API key: posted once in a request body (never in the URL); the gateway answers
// with an HttpOnly session cookie that this page cannot read, and the field is cleared.
import { useState } from "preact/hooks";
import { type ApiError, api, type SessionState } from "../api.ts";
import { ErrorNote } from "../components/bits.tsx";

export function SignIn({ onSignedIn }: { onSignedIn: (s: SessionState) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in">
      <h1>infinite-agents</h1>
      <p>This gateway needs its API key (AGENTS_API_KEY). It is sent once and kept out of URLs and logs.</p>
      <form
        method="post"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const s = await api.signIn(key);
            setKey("");
            onSignedIn(s);
          } catch (err) {
            setError(err as ApiError);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          API key
          <input
            type="password"
            name="api_key"
            autocomplete="current-password"
            value={key}
            required
            onInput={(e) => setKey(e.currentTarget.value)}
            data-testid="api-key"
          />
        </label>
        <button type="submit" class="btn primary" disabled={busy} data-testid="sign-in">
          Sign in
        </button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
