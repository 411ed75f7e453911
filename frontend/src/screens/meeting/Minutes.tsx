import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { AgendaItem, Meeting } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";
import { DecisionText } from "./Decisions";
import type { MinuteRead, MinutesItem, MinutesRead } from "./types";

export function loadMinutes(meetingId: number): Promise<MinutesRead> {
  return unwrap(api.GET("/api/v1/meetings/{meeting_id}/minutes", { params: { path: { meeting_id: meetingId } } }));
}

/** Markdown kept as plain paragraphs, so no markup reaches the page. */
export function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n{2,}/)
        .filter((p) => p.trim())
        .map((paragraph, i) => (
          <p key={i}>{paragraph}</p>
        ))}
    </>
  );
}

type Conflict = { theirs: MinuteRead } | null;

/** One item's draft, saved with If-Match; a 412 keeps the user's text and offers merge or reload. */
function MinuteEditor({ meetingId, item, onSaved }: { meetingId: number; item: MinutesItem; onSaved: (m: MinuteRead) => void }) {
  const [text, setText] = useState(item.minute?.text ?? "");
  const [version, setVersion] = useState(item.minute?.version ?? 0);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [conflict, setConflict] = useState<Conflict>(null);
  const id = `minute-${item.agenda_item_id}`;

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setSaved(false);
    try {
      const minute = await unwrap(
        api.PUT("/api/v1/meetings/{meeting_id}/minutes/{agenda_item_id}", {
          params: { path: { meeting_id: meetingId, agenda_item_id: item.agenda_item_id }, header: { "if-match": `"${version}"` } },
          body: { text },
        }),
      );
      setVersion(minute.version);
      setConflict(null);
      setSaved(true);
      onSaved(minute);
    } catch (error) {
      const p = asProblem(error);
      if (p.status === 412) {
        const latest = await loadMinutes(meetingId).catch(() => null);
        const theirs = latest?.items.find((i) => i.agenda_item_id === item.agenda_item_id)?.minute;
        if (theirs) setConflict({ theirs });
        else setProblem(p);
      } else setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="minute-editor" onSubmit={save}>
      {conflict && (
        <div class="alert alert-warning" role="alert">
          <p>Someone else saved this item's minute after you opened it, so yours was not saved. Your text is still in the box below.</p>
          <p class="small">Their version:</p>
          <blockquote class="their-minute">{conflict.theirs.text || "(empty)"}</blockquote>
          <button
            type="button"
            onClick={() => {
              setText(`${conflict.theirs.text}\n\n${text}`);
              setVersion(conflict.theirs.version);
              setConflict(null);
            }}
          >
            Merge: put theirs above mine
          </button>{" "}
          <button
            type="button"
            class="button-secondary"
            onClick={() => {
              setText(conflict.theirs.text);
              setVersion(conflict.theirs.version);
              setConflict(null);
            }}
          >
            Reload theirs (discard mine)
          </button>
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
      <label for={id}>Minute of item {item.position}</label>
      <textarea id={id} rows={4} maxLength={100000} value={text} onInput={(e) => { setText(e.currentTarget.value); setSaved(false); }} />
      <p>
        <button type="submit" disabled={busy || conflict !== null}>
          {busy ? "Saving…" : `Save draft of item ${item.position}`}
        </button>
        {saved && (
          <span class="small" role="status">
            {" "}Draft saved.
          </span>
        )}
      </p>
    </form>
  );
}

function ApproveForm({ meeting, onApproved }: { meeting: Meeting; onApproved: () => void }) {
  const [later] = useResource(async () => {
    const page = await unwrap(
      api.GET("/api/v1/meetings", {
        params: {
          query: { partnership_id: meeting.partnership_id, starts_at_after: meeting.starts_at, starts_at_before: new Date().toISOString(), sort: "starts_at", limit: 50 },
        },
      }),
    );
    return page.items.filter((m) => m.id !== meeting.id && (m.status === "scheduled" || m.status === "held"));
  }, [meeting.id]);
  const [approving, setApproving] = useState<number | null>(null);
  const [agenda, setAgenda] = useState<AgendaItem[]>([]);
  const [item, setItem] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function choose(meetingId: number | null) {
    setApproving(meetingId);
    setAgenda([]);
    setItem(null);
    if (meetingId === null) return;
    const page = await unwrap(api.GET("/api/v1/meetings/{meeting_id}/agenda-items", { params: { path: { meeting_id: meetingId } } })).catch(() => null);
    const items = page?.items ?? [];
    setAgenda(items);
    setItem(items.find((i) => /minutes/i.test(i.title))?.id ?? null);
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (approving === null) return;
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.POST("/api/v1/meetings/{meeting_id}/minutes-approval", {
          params: { path: { meeting_id: meeting.id } },
          body: { approved_by_meeting_id: approving, agenda_item_id: item },
        }),
      );
      onApproved();
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }

  return (
    <Loadable resource={later} label="later meetings">
      {(meetings) =>
        meetings.length === 0 ? (
          <p class="muted small">The minutes are approved at a later meeting once it has started; none has yet.</p>
        ) : (
          <form class="inline-form approve-form" onSubmit={submit} aria-labelledby="approve-title">
            <h3 id="approve-title">Approve these minutes</h3>
            <p class="muted small">Recorded as a decision of the later meeting ("minutes of the last meeting agreed"); it must be quorate. The minutes then become read-only.</p>
            {problem && <ErrorMessage problem={problem} />}
            <div class="form-row">
              <label for="approve-meeting">Approved at</label>
              <select id="approve-meeting" required value={approving ?? ""} onChange={(e) => void choose(Number(e.currentTarget.value) || null)}>
                <option value="">Choose the meeting</option>
                {meetings.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.title} — {formatDateTime(m.starts_at)}
                  </option>
                ))}
              </select>
            </div>
            {agenda.length > 0 && (
              <div class="form-row">
                <label for="approve-item">Under agenda item</label>
                <select id="approve-item" value={item ?? ""} onChange={(e) => setItem(Number(e.currentTarget.value) || null)}>
                  <option value="">None</option>
                  {agenda.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.position}. {a.title}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="submit" disabled={busy || approving === null}>
              {busy ? "Approving…" : "Minutes agreed as a true record"}
            </button>
          </form>
        )
      }
    </Loadable>
  );
}

/** The minutes item by item with the decisions inline: drafts for officers until approved. */
export function MinutesView({
  meeting,
  minutes,
  agenda,
  editable,
  onSaved,
}: {
  meeting: Meeting;
  minutes: MinutesRead;
  agenda: AgendaItem[];
  editable: boolean;
  onSaved?: () => void;
}) {
  return (
    <>
      {minutes.general && <Paragraphs text={minutes.general} />}
      {minutes.items.length === 0 && !minutes.general && <p class="muted">There is no agenda to minute yet.</p>}
      <ol class="minutes-items">
        {minutes.items.map((item) => (
          <li key={item.agenda_item_id}>
            <h3>{item.title}</h3>
            {editable ? (
              <MinuteEditor meetingId={meeting.id} item={item} onSaved={() => onSaved?.()} />
            ) : item.minute?.text ? (
              <Paragraphs text={item.minute.text} />
            ) : (
              <p class="muted small">No minute recorded.</p>
            )}
            {item.decisions.map((d) => (
              <div class="decision-inline" key={d.id}>
                <DecisionText decision={d} agenda={agenda} partnershipId={meeting.partnership_id} />
              </div>
            ))}
          </li>
        ))}
      </ol>
      {minutes.other_decisions.length > 0 && (
        <>
          <h3>Other decisions</h3>
          {minutes.other_decisions.map((d) => (
            <div class="decision-inline" key={d.id}>
              <DecisionText decision={d} agenda={agenda} partnershipId={meeting.partnership_id} />
            </div>
          ))}
        </>
      )}
    </>
  );
}

/** The minutes section of the meeting page. */
export function Minutes({ meeting, agenda, onChanged }: { meeting: Meeting; agenda: AgendaItem[]; onChanged: () => void }) {
  const [minutes, reload] = useResource(() => loadMinutes(meeting.id), [meeting.id, meeting.version]);
  const editable = meeting.can?.write_minutes ?? false;
  // Saving a first draft can make the minutes ready for approval: ask the server again.
  const [canApprove, setCanApprove] = useState(meeting.can?.approve_minutes ?? false);
  async function refreshCan() {
    const fresh = await unwrap(api.GET("/api/v1/meetings/{item_id}", { params: { path: { item_id: meeting.id } } })).catch(() => null);
    if (fresh) setCanApprove(fresh.can?.approve_minutes ?? false);
  }
  return (
    <Loadable resource={minutes} label="minutes" onRetry={reload}>
      {(m) => (
        <>
          <p class="muted small">
            {m.approved ? (
              <>
                Approved as a true record
                {m.minutes_approved_by_meeting_id && (
                  <>
                    {" "}at the <a href={`/meetings/${m.minutes_approved_by_meeting_id}`}>meeting of {m.minutes_approved_at ? formatDateTime(m.minutes_approved_at) : "a later date"}</a>
                  </>
                )}
                . They can no longer change.
              </>
            ) : (
              "Draft — not yet approved."
            )}{" "}
            <a href={`/meetings/${meeting.id}/minutes`}>Printable minutes</a>
          </p>
          <MinutesView meeting={meeting} minutes={m} agenda={agenda} editable={editable} onSaved={() => void refreshCan()} />
          {canApprove && <ApproveForm meeting={meeting} onApproved={onChanged} />}
        </>
      )}
    </Loadable>
  );
}
