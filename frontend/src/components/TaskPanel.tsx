import { useEffect, useState } from "preact/hooks";
import { api, unwrap, unwrapTagged } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { Organisation, StatusUpdate, Task } from "../api/types";
import { formatDate } from "../lib/dates";
import { organisationDirectory } from "../lib/directory";
import { RAG_CHOICES, RAG_LABELS, parseRag } from "../lib/rag";
import { useResource } from "../lib/useResource";
import { ErrorMessage, Loadable } from "./Loadable";
import { RagBadge } from "./RagBadge";

type Draft = Pick<Task, "rag" | "position" | "planned_improvement" | "deadline">;

const draftOf = (task: Task): Draft => ({
  rag: task.rag ?? null,
  position: task.position,
  planned_improvement: task.planned_improvement,
  deadline: task.deadline,
});

async function loadTask(id: number) {
  const [tagged, history, organisations] = await Promise.all([
    unwrapTagged(api.GET("/api/v1/tasks/{item_id}", { params: { path: { item_id: id } } })),
    unwrap(
      api.GET("/api/v1/tasks/{task_id}/status-updates", {
        params: { path: { task_id: id }, query: { limit: 20 } },
      }),
    ),
    organisationDirectory(),
  ]);
  return { task: tagged.data, etag: tagged.etag, history: history.items, organisations };
}

function History({ entries, organisations }: { entries: StatusUpdate[]; organisations: Map<number, Organisation> }) {
  if (entries.length === 0) return <p class="muted">No updates reported yet.</p>;
  return (
    <ol class="timeline">
      {entries.map((u) => (
        <li key={u.id}>
          <p class="timeline-head">
            <time dateTime={u.reported_on}>{formatDate(u.reported_on)}</time> <RagBadge rag={u.rag} />
          </p>
          {u.position && <p>{u.position}</p>}
          {u.planned_improvement && <p class="muted">Next: {u.planned_improvement}</p>}
          <p class="muted small">
            {u.author}
            {u.on_behalf_of_id ? ` for ${organisations.get(u.on_behalf_of_id)?.name ?? "another organisation"}` : ""}
            {u.note ? ` — ${u.note}` : ""}
          </p>
        </li>
      ))}
    </ol>
  );
}

type Conflict = "none" | "stale" | "reloaded";

type FormProps = {
  task: Task;
  etag: string | null;
  onSaved: (task: Task) => void;
  onReload: () => void;
};

/** RAG, position, planned improvement and deadline, written with If-Match (412 on conflict). */
function StatusForm({ task, etag, onSaved, onReload }: FormProps) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(task));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [conflict, setConflict] = useState<Conflict>("none");
  const [saved, setSaved] = useState(false);
  const id = `task-${task.id}`;

  // A reload after a conflict brings a new version; keep the draft so the user can retry.
  useEffect(() => {
    setConflict((c) => (c === "stale" ? "reloaded" : c));
  }, [task.version]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSaved(false);
  };

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const updated = await unwrap(
        api.PATCH("/api/v1/tasks/{item_id}", {
          params: { path: { item_id: task.id }, header: { "if-match": etag ?? undefined } },
          body: draft,
        }),
      );
      setConflict("none");
      setSaved(true);
      onSaved(updated);
    } catch (error) {
      const p = asProblem(error);
      if (p.status === 412) setConflict("stale");
      else setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="status-form" onSubmit={submit}>
      {conflict === "stale" && (
        <div class="alert alert-warning" role="alert">
          <p>Someone else updated this task after you opened it, so your change was not saved.</p>
          <button type="button" class="button-secondary" onClick={onReload}>
            Reload the latest version
          </button>
        </div>
      )}
      {conflict === "reloaded" && (
        <p class="alert alert-info" role="status">
          Reloaded: the history below shows the latest update. Your changes are still in the form —
          check them and save again.
        </p>
      )}
      {problem && <ErrorMessage problem={problem} />}
      {saved && (
        <p class="alert alert-success" role="status">
          Update saved.
        </p>
      )}
      <div class="form-row">
        <label for={`${id}-rag`}>RAG status</label>
        <select id={`${id}-rag`} value={draft.rag ?? ""} onChange={(e) => set("rag", parseRag(e.currentTarget.value))}>
          <option value="">Not rated</option>
          {RAG_CHOICES.map((rag) => (
            <option key={rag} value={rag}>
              {RAG_LABELS[rag]}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for={`${id}-position`}>Current position</label>
        <textarea
          id={`${id}-position`}
          rows={3}
          value={draft.position ?? ""}
          onInput={(e) => set("position", e.currentTarget.value || null)}
        />
      </div>
      <div class="form-row">
        <label for={`${id}-improvement`}>
          Planned improvement{draft.rag === "red" ? " (required for a red task)" : ""}
        </label>
        <textarea
          id={`${id}-improvement`}
          rows={2}
          required={draft.rag === "red"}
          value={draft.planned_improvement ?? ""}
          onInput={(e) => set("planned_improvement", e.currentTarget.value || null)}
        />
      </div>
      <div class="form-row">
        <label for={`${id}-deadline`}>Deadline</label>
        <input
          id={`${id}-deadline`}
          type="date"
          value={draft.deadline ?? ""}
          onInput={(e) => set("deadline", e.currentTarget.value || null)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save update"}
      </button>
    </form>
  );
}

/** A task's details, its status form and its history timeline. */
type PanelProps = {
  taskId: number;
  /** Level of the "History" heading, to fit the page around the panel. */
  headingLevel: 2 | 3 | 4 | 5;
  onSaved?: (task: Task) => void;
};

export function TaskPanel({ taskId, headingLevel, onSaved }: PanelProps) {
  const [resource, reload] = useResource(() => loadTask(taskId), [taskId]);
  const Heading = `h${headingLevel}` as const;
  return (
    <Loadable resource={resource} label="task" onRetry={reload}>
      {({ task, etag, history, organisations }) => (
        <div class="task-panel">
          <dl class="facts">
            <dt>Target</dt>
            <dd>{task.target ?? "—"}</dd>
            <dt>Lead</dt>
            <dd>{task.lead_organisation_id ? organisations.get(task.lead_organisation_id)?.name : "—"}</dd>
            <dt>Owner</dt>
            <dd>{task.owner_name ?? "—"}</dd>
            <dt>Status</dt>
            <dd>
              <RagBadge rag={task.rag} /> as of {formatDate(task.last_reported_on)}
            </dd>
          </dl>
          {task.can?.update_status ? (
            <StatusForm
              task={task}
              etag={etag}
              onSaved={(updated) => {
                reload();
                onSaved?.(updated);
              }}
              onReload={reload}
            />
          ) : (
            <p class="muted">Only the lead organisation and the partnership's officers update this task.</p>
          )}
          <Heading>History</Heading>
          <History entries={history} organisations={organisations} />
        </div>
      )}
    </Loadable>
  );
}
