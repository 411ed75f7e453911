import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, unwrap, unwrapTagged } from "../../api/client";
import { asProblem, fieldError, type Problem } from "../../api/problem";
import type { Meeting, Partnership } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { FieldError } from "../../components/FieldError";
import { humanise } from "../../lib/labels";
import { isoToLondon, londonToIso, minutesBetween } from "../../lib/london";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import type { MeetingWrite } from "./types";

const KINDS: NonNullable<MeetingWrite["kind"]>[] = ["ordinary", "extraordinary", "away_day", "conference"];

type Draft = {
  title: string;
  kind: NonNullable<MeetingWrite["kind"]>;
  starts: string; // London wall-clock, datetime-local
  duration: number; // minutes
  location: string;
  online_url: string;
  public: boolean;
};

function fromMeeting(meeting: Meeting): Draft {
  return {
    title: meeting.title,
    kind: meeting.kind ?? "ordinary",
    starts: isoToLondon(meeting.starts_at),
    duration: meeting.ends_at ? minutesBetween(meeting.starts_at, meeting.ends_at) : 120,
    location: meeting.location ?? "",
    online_url: meeting.online_url ?? "",
    public: meeting.public ?? true,
  };
}

const blank = (partnership: Partnership): Draft => ({
  title: `${partnership.name} meeting`,
  kind: "ordinary",
  starts: "",
  duration: 120,
  location: "",
  online_url: "",
  public: true,
});

function Field({ id, label, problem, field, children }: { id: string; label: string; problem: Problem | null; field: string; children: preact.ComponentChildren }) {
  return (
    <div class="form-row">
      <label for={id}>{label}</label>
      {children}
      <FieldError id={`${id}-error`} message={fieldError(problem, field)} />
    </div>
  );
}

function Form({ partnership, meeting, etag }: { partnership: Partnership; meeting: Meeting | null; etag: string | null }) {
  const { route } = useLocation();
  const [draft, setDraft] = useState<Draft>(meeting ? fromMeeting(meeting) : blank(partnership));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const describedBy = (id: string, field: string) => (fieldError(problem, field) ? `${id}-error` : undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const starts_at = londonToIso(draft.starts);
      const ends_at = new Date(new Date(starts_at).getTime() + draft.duration * 60000).toISOString();
      const body = {
        title: draft.title,
        kind: draft.kind,
        starts_at,
        ends_at,
        location: draft.location.trim() || null,
        online_url: draft.online_url.trim() || null,
        public: draft.public,
      };
      const saved = meeting
        ? await unwrap(
            api.PATCH("/api/v1/meetings/{item_id}", {
              params: { path: { item_id: meeting.id }, header: { "if-match": etag ?? undefined } },
              body,
            }),
          )
        : await unwrap(api.POST("/api/v1/meetings", { body: { ...body, status: "scheduled", partnership_id: partnership.id } }));
      route(`/meetings/${saved.id}`);
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} class="card meeting-form" aria-labelledby="meeting-form-title">
      <h1 id="meeting-form-title">{meeting ? `Change ${meeting.title}` : `Schedule a meeting of ${partnership.name}`}</h1>
      {problem && <ErrorMessage problem={problem} />}
      <Field id="meeting-title" label="Title" problem={problem} field="title">
        <input id="meeting-title" required maxLength={200} value={draft.title} aria-describedby={describedBy("meeting-title", "title")} onInput={(e) => set("title", e.currentTarget.value)} />
      </Field>
      <Field id="meeting-kind" label="Kind of meeting" problem={problem} field="kind">
        <select id="meeting-kind" value={draft.kind} onChange={(e) => set("kind", e.currentTarget.value as Draft["kind"])}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {humanise(k)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="meeting-starts" label="Starts (London time)" problem={problem} field="starts_at">
        <input id="meeting-starts" type="datetime-local" required value={draft.starts} aria-describedby={describedBy("meeting-starts", "starts_at")} onInput={(e) => set("starts", e.currentTarget.value)} />
      </Field>
      <Field id="meeting-duration" label="Duration (minutes)" problem={problem} field="ends_at">
        <input id="meeting-duration" type="number" min={15} step={15} required value={draft.duration} onInput={(e) => set("duration", Math.max(15, Number(e.currentTarget.value) || 15))} />
      </Field>
      <Field id="meeting-location" label="Place" problem={problem} field="location">
        <input id="meeting-location" maxLength={300} value={draft.location} aria-describedby={describedBy("meeting-location", "location")} onInput={(e) => set("location", e.currentTarget.value)} />
      </Field>
      <Field id="meeting-online" label="Online link (https://…)" problem={problem} field="online_url">
        <input id="meeting-online" type="url" maxLength={500} value={draft.online_url} aria-describedby={describedBy("meeting-online", "online_url")} onInput={(e) => set("online_url", e.currentTarget.value)} />
      </Field>
      <div class="form-row checkbox-row">
        <input id="meeting-public" type="checkbox" checked={draft.public} onChange={(e) => set("public", e.currentTarget.checked)} />
        <label for="meeting-public">Public meeting (listed on the public site and calendar)</label>
      </div>
      {meeting && <p class="muted small">Moving the date updates everyone's calendar entry for this meeting.</p>}
      <p>
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : meeting ? "Save changes" : "Schedule meeting"}
        </button>{" "}
        <a href={meeting ? `/meetings/${meeting.id}` : `/partnerships/${partnership.id}`}>Cancel</a>
      </p>
    </form>
  );
}

/** Schedule a meeting of a partnership (`/partnerships/:id/meetings/new`). */
export function NewMeetingPage({ id }: { id: string }) {
  useTitle("Schedule a meeting");
  const partnershipId = Number(id);
  const [resource, reload] = useResource(
    () => unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: partnershipId } } })),
    [partnershipId],
  );
  return (
    <Loadable resource={resource} label="partnership" onRetry={reload}>
      {(partnership) => <Form partnership={partnership} meeting={null} etag={null} />}
    </Loadable>
  );
}

/** Edit or reschedule a meeting (`/meetings/:id/edit`). */
export function EditMeetingPage({ id }: { id: string }) {
  useTitle("Change a meeting");
  const meetingId = Number(id);
  const [resource, reload] = useResource(async () => {
    const { data: meeting, etag } = await unwrapTagged(api.GET("/api/v1/meetings/{item_id}", { params: { path: { item_id: meetingId } } }));
    const partnership = await unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: meeting.partnership_id } } }));
    return { meeting, etag, partnership };
  }, [meetingId]);
  return (
    <Loadable resource={resource} label="meeting" onRetry={reload}>
      {({ meeting, etag, partnership }) =>
        meeting.can?.update ? (
          <Form partnership={partnership} meeting={meeting} etag={etag} />
        ) : (
          <p class="alert alert-info">You may not change this meeting. <a href={`/meetings/${meeting.id}`}>Back to the meeting</a></p>
        )
      }
    </Loadable>
  );
}
