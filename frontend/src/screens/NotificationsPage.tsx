import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { NotificationCategory, NotificationPreferences } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import "../styles/admin.css";

function PreferencesForm({ prefs, onSaved }: { prefs: NotificationPreferences; onSaved: () => void }) {
  const [chosen, setChosen] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(prefs.categories.map((c) => [c.category, c.enabled])),
  );
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setProblem(null);
    const categories: Partial<Record<NotificationCategory, boolean>> = {};
    for (const c of prefs.categories) if (!c.required) categories[c.category] = chosen[c.category];
    try {
      await unwrap(api.PUT("/api/v1/me/notifications", { body: { categories } }));
      setSaved(true);
      onSaved();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card admin-form" onSubmit={submit} aria-labelledby="prefs-title">
      <h2 id="prefs-title">E-mail me about</h2>
      <p class="muted">
        Messages go to <strong>{prefs.email ?? "no address: ask an officer to add yours"}</strong>.
      </p>
      {problem && <ErrorMessage problem={problem} />}
      <fieldset>
        <legend class="visually-hidden">Categories</legend>
        {prefs.categories.map((c) => (
          <div key={c.category} class="form-row">
            <label class="checkbox">
              <input
                type="checkbox"
                name={c.category}
                checked={c.required || chosen[c.category]}
                disabled={c.required}
                aria-describedby={`pref-${c.category}-help`}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setSaved(false);
                  setChosen((all) => ({ ...all, [c.category]: on }));
                }}
              />
              {c.label}
              {c.required && <span class="cell-note"> (always sent)</span>}
            </label>
            <p id={`pref-${c.category}-help`} class="muted">
              {c.description}
            </p>
          </div>
        ))}
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save settings"}
      </button>
      {saved && (
        <p role="status" class="alert alert-success">
          Your notification settings are saved.
        </p>
      )}
    </form>
  );
}

/** A person's e-mail settings: every category they may switch off, and the required ones. */
export function NotificationsPage() {
  useTitle("Notification settings");
  const me = useMe();
  const [prefs, reload] = useResource(
    () => unwrap(api.GET("/api/v1/me/notifications")),
    [me.id],
  );
  return (
    <>
      <h1>Notification settings</h1>
      <p>
        Choose which e-mails LSP Hub sends you. Every message also has a link to stop its kind of
        e-mail in one click.
      </p>
      <Loadable resource={prefs} label="your notification settings" onRetry={reload}>
        {(data) => <PreferencesForm prefs={data} onSaved={reload} />}
      </Loadable>
    </>
  );
}
