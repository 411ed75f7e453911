import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, unwrap } from "../../api/client";
import { asProblem, fieldError, type Problem } from "../../api/problem";
import type { Meeting } from "../../api/types";
import { FieldError } from "../../components/FieldError";
import { ErrorMessage } from "../../components/Loadable";
import { londonToIso } from "../../lib/london";

type Props = { meeting: Meeting; etag: string | null; onChanged: () => void };

/** Why a meeting was cancelled or adjourned, and where it continues. */
export function MeetingStatusNote({ meeting }: { meeting: Meeting }) {
  return (
    <>
      {meeting.status === "cancelled" && (
        <p class="alert alert-warning">
          Cancelled{meeting.cancellation_reason ? `: ${meeting.cancellation_reason}` : "."}
        </p>
      )}
      {meeting.status === "adjourned" && meeting.adjourned_to_id && (
        <p class="alert alert-info">
          Adjourned without a quorum{meeting.adjournment_reason ? ` (${meeting.adjournment_reason})` : ""}.{" "}
          <a href={`/meetings/${meeting.adjourned_to_id}`}>Go to the resumed meeting</a>
        </p>
      )}
      {meeting.adjourned_from_id && (
        <p class="alert alert-info">
          Resumes an <a href={`/meetings/${meeting.adjourned_from_id}`}>adjourned meeting</a>
          {meeting.adjournment_reason ? ` (${meeting.adjournment_reason})` : ""}.
        </p>
      )}
      {meeting.online_url && (
        <p>
          Join online: <a href={meeting.online_url} rel="noopener noreferrer" target="_blank">{meeting.online_url}</a>
        </p>
      )}
    </>
  );
}

function CancelForm({ meeting, etag, onChanged, onClose }: Props & { onClose: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/meetings/{item_id}", {
          params: { path: { item_id: meeting.id }, header: { "if-match": etag ?? undefined } },
          body: { status: "cancelled", cancellation_reason: reason },
        }),
      );
      onChanged();
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }
  const message = fieldError(problem, "cancellation_reason");
  return (
    <form class="inline-form card" onSubmit={submit} aria-labelledby="cancel-title">
      <h2 id="cancel-title">Cancel this meeting</h2>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for="cancel-reason">Reason (sent with the cancellation)</label>
        <textarea id="cancel-reason" rows={2} required maxLength={1000} value={reason} aria-describedby={message ? "cancel-reason-error" : undefined} onInput={(e) => setReason(e.currentTarget.value)} />
        <FieldError id="cancel-reason-error" message={message} />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Cancelling…" : "Cancel the meeting"}
      </button>{" "}
      <button type="button" class="button-secondary" onClick={onClose}>
        Keep it
      </button>
    </form>
  );
}

function AdjournForm({ meeting, onClose }: Props & { onClose: () => void }) {
  const { route } = useLocation();
  const [starts, setStarts] = useState("");
  const [duration, setDuration] = useState(120);
  const [location, setLocation] = useState(meeting.location ?? "");
  const [reason, setReason] = useState(
    `Not quorate thirty minutes after the start: ${meeting.quorum.present_voting} of ${meeting.quorum.required} voting members present.`,
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const starts_at = londonToIso(starts);
      const ends_at = new Date(new Date(starts_at).getTime() + duration * 60000).toISOString();
      const result = await unwrap(
        api.POST("/api/v1/meetings/{meeting_id}/adjournment", {
          params: { path: { meeting_id: meeting.id } },
          body: { starts_at, ends_at, location: location.trim() || null, reason },
        }),
      );
      route(`/meetings/${result.resumed.id}`);
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }
  const startsError = fieldError(problem, "starts_at");
  return (
    <form class="inline-form card" onSubmit={submit} aria-labelledby="adjourn-title">
      <h2 id="adjourn-title">Adjourn to a resumed meeting</h2>
      <p class="muted small">The meeting is recorded as adjourned and the resumed meeting is scheduled; members are sent notice of it.</p>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for="adjourn-starts">Resumed meeting starts (London time)</label>
        <input id="adjourn-starts" type="datetime-local" required value={starts} aria-describedby={startsError ? "adjourn-starts-error" : undefined} onInput={(e) => setStarts(e.currentTarget.value)} />
        <FieldError id="adjourn-starts-error" message={startsError} />
      </div>
      <div class="form-row">
        <label for="adjourn-duration">Duration (minutes)</label>
        <input id="adjourn-duration" type="number" min={15} step={15} value={duration} onInput={(e) => setDuration(Math.max(15, Number(e.currentTarget.value) || 15))} />
      </div>
      <div class="form-row">
        <label for="adjourn-location">Place</label>
        <input id="adjourn-location" maxLength={300} value={location} onInput={(e) => setLocation(e.currentTarget.value)} />
      </div>
      <div class="form-row">
        <label for="adjourn-reason">Reason (recorded on both meetings)</label>
        <textarea id="adjourn-reason" rows={2} required maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Adjourning…" : "Adjourn and schedule the resumed meeting"}
      </button>{" "}
      <button type="button" class="button-secondary" onClick={onClose}>
        Back
      </button>
    </form>
  );
}

/** The officer's actions on a meeting: only those its `can` says will succeed. */
export function MeetingActions({ meeting, etag, onChanged }: Props) {
  const can = meeting.can;
  const [open, setOpen] = useState<"none" | "cancel" | "adjourn">("none");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  if (!can || !(can.update || can.cancel || can.reinstate || can.mark_held || can.adjourn)) return null;

  async function move(status: "held" | "scheduled") {
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/meetings/{item_id}", {
          params: { path: { item_id: meeting.id }, header: { "if-match": etag ?? undefined } },
          body: { status },
        }),
      );
      onChanged();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="meeting-actions">
      {problem && <ErrorMessage problem={problem} />}
      <p class="button-row">
        {can.update && (
          <a class="button-link" href={`/meetings/${meeting.id}/edit`}>
            Edit or reschedule
          </a>
        )}
        {can.mark_held && (
          <button type="button" disabled={busy} onClick={() => void move("held")}>
            Mark as held
          </button>
        )}
        {can.adjourn && (
          <button type="button" class="button-secondary" onClick={() => setOpen("adjourn")} aria-expanded={open === "adjourn"}>
            Adjourn (not quorate)
          </button>
        )}
        {can.cancel && (
          <button type="button" class="button-secondary" onClick={() => setOpen("cancel")} aria-expanded={open === "cancel"}>
            Cancel meeting
          </button>
        )}
        {can.reinstate && (
          <button type="button" disabled={busy} onClick={() => void move("scheduled")}>
            Reinstate meeting
          </button>
        )}
      </p>
      {open === "cancel" && <CancelForm meeting={meeting} etag={etag} onChanged={onChanged} onClose={() => setOpen("none")} />}
      {open === "adjourn" && <AdjournForm meeting={meeting} etag={etag} onChanged={onChanged} onClose={() => setOpen("none")} />}
    </div>
  );
}
