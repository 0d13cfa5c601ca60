// Sign-in with an API key: checked against the API, then kept in sessionStorage for this tab only.
import { useState } from 'preact/hooks';
import { ApiError, api, session } from '../api.ts';
import { ErrorNote, messageOf } from '../parts/ui.tsx';

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Any authenticated read proves the key; a 403 still means a real key with fewer scopes.
      await api('/forms', { key }).catch((err) => {
        if (!(err instanceof ApiError && err.status === 403)) throw err;
      });
      session.signIn(key);
      onSignedIn();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401 ? 'That key is not valid.' : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Subflow admin</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p class="muted">
          Create one with <code>npx subflow keys create --name console</code> (an admin key). It is
          kept in this tab only and sent as a Bearer token to <code>/api/v1</code>.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
