import { useState } from "preact/hooks";
import { asProblem, type Problem } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage } from "../components/Loadable";
import { useTitle } from "../lib/useTitle";

export function Login() {
  useTitle("Sign in");
  const { login, notice } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await login(email.trim(), password);
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }

  return (
    <section class="login card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      {notice && (
        <p class="alert alert-info" role="status">
          {notice}
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
    </section>
  );
}
