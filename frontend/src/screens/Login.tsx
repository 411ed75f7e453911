import { useState } from "preact/hooks";
import { asProblem, type Problem } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage } from "../components/Loadable";
import { useTitle } from "../lib/useTitle";

type Props = {
  /** The e-mail to start with (after choosing a password). */
  email?: string;
  /** A message above the form; the session notice when absent. */
  message?: string;
  /** What to do once signed in (by default the current address renders for the new user). */
  onSignedIn?: () => void;
};

export function Login({ email: initialEmail = "", message, onSignedIn }: Props = {}) {
  useTitle("Sign in");
  const { login, notice } = useAuth();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await login(email.trim(), password);
      onSignedIn?.();
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }

  return (
    <section class="login card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      {(message ?? notice) && (
        <p class="alert alert-info" role="status">
          {message ?? notice}
        </p>
      )}
      {problem && <ErrorMessage problem={problem} />}
      <form onSubmit={submit}>
        <label for="login-email">Email address</label>
        <input
          id="login-email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p class="login-public">
        Not a member?{" "}
        {/* The server renders the public site: the browser loads it, not the SPA's router. */}
        <a href="/public/" onClick={(e) => e.stopPropagation()}>
          See meetings, decisions and progress on the public site
        </a>
        .
      </p>
    </section>
  );
}
