import { useRef, useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import { useMe } from "../auth/AuthContext";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { formatDateTime } from "../lib/dates";
import { useResource } from "../lib/useResource";
import "../styles/papers.css";
import { useTitle } from "../lib/useTitle";

/**
 * "My calendar": the person's private meeting feed. The address is a secret shown only when
 * it is issued; rotating issues a new one (the old stops working), revoking ends it.
 */
export function CalendarPage() {
  useTitle("My calendar");
  const me = useMe();
  if (me.person_id == null) {
    return (
      <>
        <h1>My calendar</h1>
        <p>Your account is not linked to a person in the directory, so it has no meetings to follow.</p>
      </>
    );
  }
  return <CalendarFeed />;
}

function CalendarFeed() {
  const [feed, reload] = useResource(() => unwrap(api.GET("/api/v1/me/calendar-feed")), []);
  const [url, setUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setProblem(null);
    setMessage("");
    try {
      await work();
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  const issue = (rotating: boolean) =>
    act(async () => {
      const issued = await unwrap(api.POST("/api/v1/me/calendar-feed"));
      setUrl(new URL(issued.url, window.location.origin).toString());
      setMessage(rotating ? "A new address is ready; the old one no longer works." : "Your feed address is ready.");
      setTimeout(() => field.current?.focus(), 0);
    });

  const revoke = () =>
    act(async () => {
      await unwrap(api.DELETE("/api/v1/me/calendar-feed"));
      setUrl(null);
      setConfirmRevoke(false);
      setMessage("Your feed address is revoked: calendars using it stop updating.");
    });

  async function copy() {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setMessage("Address copied.");
    } catch {
      field.current?.select();
      setMessage("Select the address and copy it (Ctrl+C or ⌘C).");
    }
  }

  return (
    <>
      <header class="page-head">
        <h1>My calendar</h1>
        <p class="muted">
          Every meeting of your partnerships, public or not, in your own calendar (Outlook, Google Calendar, Apple
          Calendar): subscribe to your private feed address. Keep it to yourself; anyone with it sees your meetings.
        </p>
      </header>
      <section class="card" aria-labelledby="feed-title">
        <h2 id="feed-title">Private feed address</h2>
        <p role="status" class="status-line">
          {message}
        </p>
        {problem && <ErrorMessage problem={problem} />}
        <Loadable resource={feed} label="your calendar feed" onRetry={reload}>
          {(state) => (
            <>
              {url && (
                <div class="feed-address">
                  <label for="feed-url">Your feed address (shown only now)</label>
                  <div class="copy-row">
                    <input id="feed-url" ref={field} readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
                    <button type="button" onClick={copy}>
                      Copy address
                    </button>
                  </div>
                </div>
              )}
              {state.active ? (
                <>
                  <p>
                    Your feed is active
                    {state.created_at ? ` (address issued ${formatDateTime(state.created_at)})` : ""}.
                    {!url && " The address is shown only when it is issued: to see one again, rotate it."}
                  </p>
                  <div class="button-row">
                    <button type="button" class="button-secondary" disabled={busy} onClick={() => issue(true)}>
                      Rotate address
                    </button>
                    {confirmRevoke ? (
                      <>
                        <button type="button" class="button-danger" disabled={busy} onClick={revoke}>
                          Confirm: revoke the address
                        </button>
                        <button type="button" class="button-secondary" onClick={() => setConfirmRevoke(false)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <button type="button" class="button-secondary" disabled={busy} onClick={() => setConfirmRevoke(true)}>
                        Revoke address
                      </button>
                    )}
                  </div>
                </>
              ) : (
                <>
                  <p>You have no feed address.</p>
                  <button type="button" disabled={busy} onClick={() => issue(false)}>
                    Create my feed address
                  </button>
                </>
              )}
            </>
          )}
        </Loadable>
      </section>
    </>
  );
}
