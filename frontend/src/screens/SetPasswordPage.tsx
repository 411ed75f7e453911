import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import { homePath } from "../auth/access";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage } from "../components/Loadable";
import { useTitle } from "../lib/useTitle";
import { Login } from "./Login";

const MIN_LENGTH = 12;

/** The token of a one-time link, from the address's fragment (never sent to the server). */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token");
  return token && token.trim() ? token.trim() : null;
}

/** Where a one-time link leads: choose a password, then sign in with it. */
export function SetPasswordPage() {
  useTitle("Choose a password");
  const { me, logout } = useAuth();
  const { route } = useLocation();
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const [email, setEmail] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (!token) return;
    setMismatch(password !== repeat);
    if (password !== repeat) return;
    setBusy(true);
    setProblem(null);
    try {
      const done = await unwrap(api.POST("/api/v1/auth/set-password", { body: { token, password } }));
      if (me) await logout(); // a link is for its own user, not whoever is signed in here
      setEmail(done.email);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  if (email !== null && !me) {
    return (
      <Login
        email={email}
        message="Your password is set. Sign in with it now."
        onSignedIn={() => route("/", true)}
      />
    );
  }
  if (!token) {
    return (
      <section class="card login" aria-labelledby="set-password-title">
        <h1 id="set-password-title">Choose a password</h1>
        <p class="alert alert-error" role="alert">
          This address has no link token in it. Open the whole link you were given, or ask an administrator for a new
          one.
        </p>
        {me && <a href={homePath(me.role)}>Go to your home page</a>}
      </section>
    );
  }
  return (
    <section class="card login" aria-labelledby="set-password-title">
      <h1 id="set-password-title">Choose a password</h1>
      <p>Choose the password you will sign in with. The link works once.</p>
      {problem && <ErrorMessage problem={problem} />}
      <form onSubmit={submit}>
        <label for="new-password">New password</label>
        <input
          id="new-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_LENGTH}
          maxLength={256}
          aria-describedby="new-password-hint"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p id="new-password-hint" class="hint">
          At least {MIN_LENGTH} characters. A few unrelated words make a good one.
        </p>
        <label for="repeat-password">Type it again</label>
        <input
          id="repeat-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_LENGTH}
          maxLength={256}
          aria-invalid={mismatch ? "true" : undefined}
          aria-describedby={mismatch ? "repeat-password-error" : undefined}
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
        {mismatch && (
          <p id="repeat-password-error" class="field-error" role="alert">
            The two passwords are not the same.
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Set password"}
        </button>
      </form>
    </section>
  );
}
