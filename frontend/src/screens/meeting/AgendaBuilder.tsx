import { useEffect, useRef, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { AgendaPack, Meeting, PackItem } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { dropped, formatMinutes, moved, STANDARD_OPENING } from "../../lib/agenda";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";
import "../../styles/papers.css";
import { PaperCell, type PaperChoice } from "./Papers";

type Draft = { title: string; presenter: string; minutes: string };
const emptyDraft: Draft = { title: "", presenter: "", minutes: "" };

function toBody(draft: Draft) {
  return {
    title: draft.title.trim(),
    presenter: draft.presenter.trim() || null,
    minutes_allotted: draft.minutes ? Number(draft.minutes) : null,
  };
}

export function loadPack(meetingId: number) {
  return unwrap(api.GET("/api/v1/meetings/{meeting_id}/agenda-pack", { params: { path: { meeting_id: meetingId } } }));
}

function ItemFields({ prefix, draft, onInput }: { prefix: string; draft: Draft; onInput: (d: Draft) => void }) {
  return (
    <div class="item-fields">
      <div class="form-row">
        <label for={`${prefix}-title`}>Title</label>
        <input
          id={`${prefix}-title`}
          required
          maxLength={300}
          value={draft.title}
          onInput={(e) => onInput({ ...draft, title: e.currentTarget.value })}
        />
      </div>
      <div class="form-row">
        <label for={`${prefix}-presenter`}>Presenter</label>
        <input
          id={`${prefix}-presenter`}
          maxLength={200}
          value={draft.presenter}
          onInput={(e) => onInput({ ...draft, presenter: e.currentTarget.value })}
        />
      </div>
      <div class="form-row">
        <label for={`${prefix}-minutes`}>Minutes allotted</label>
        <input
          id={`${prefix}-minutes`}
          type="number"
          min={1}
          max={600}
          inputMode="numeric"
          value={draft.minutes}
          onInput={(e) => onInput({ ...draft, minutes: e.currentTarget.value })}
        />
      </div>
    </div>
  );
}

function ItemSummary({ item }: { item: PackItem }) {
  return (
    <div class="item-summary">
      <strong class="item-title">{item.title}</strong>
      <span class="muted small">
        {item.presenter ? ` — ${item.presenter}` : ""}
        {item.minutes_allotted ? ` · ${item.minutes_allotted} min` : ""}
      </span>
    </div>
  );
}

/** The agenda as members read it: items in order with their papers. */
export function AgendaList({ pack }: { pack: AgendaPack }) {
  if (pack.items.length === 0) return <p class="muted">No agenda published yet.</p>;
  return (
    <ol class="agenda">
      {pack.items.map((item) => (
        <li key={item.id}>
          <ItemSummary item={item} />
          {item.outcome && <p class="small">Outcome: {item.outcome}</p>}
          <PaperCell item={item} partnershipId={pack.partnership_id} meetingPublic={pack.public} editable={false} onChanged={() => undefined} />
        </li>
      ))}
    </ol>
  );
}

function Row({
  item,
  index,
  count,
  pack,
  busy,
  onMove,
  onDrop,
  onSaved,
  onError,
  choices,
}: {
  item: PackItem;
  index: number;
  count: number;
  pack: AgendaPack;
  choices: PaperChoice[];
  busy: boolean;
  onMove: (index: number, delta: number, focusId: string) => void;
  onDrop: (from: number, to: number) => void;
  onSaved: (message: string) => void;
  onError: (p: Problem) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [over, setOver] = useState(false);

  function startEdit() {
    setDraft({ title: item.title, presenter: item.presenter ?? "", minutes: item.minutes_allotted ? String(item.minutes_allotted) : "" });
    setEditing(true);
  }

  async function save(event: Event) {
    event.preventDefault();
    try {
      await unwrap(api.PATCH("/api/v1/agenda-items/{item_id}", { params: { path: { item_id: item.id } }, body: toBody(draft) }));
      setEditing(false);
      onSaved(`Saved “${draft.title.trim()}”.`);
    } catch (error) {
      onError(asProblem(error));
    }
  }

  async function remove() {
    try {
      await unwrap(api.DELETE("/api/v1/agenda-items/{item_id}", { params: { path: { item_id: item.id } } }));
      onSaved(`Removed “${item.title}”.`);
    } catch (error) {
      onError(asProblem(error));
    }
  }

  return (
    <li
      class={`builder-item${over ? " drop-target" : ""}`}
      draggable={!editing}
      data-item-id={item.id}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", String(index));
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      }}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const from = Number(e.dataTransfer?.getData("text/plain"));
        if (Number.isInteger(from) && from !== index) onDrop(from, index);
      }}
    >
      <span class="drag-handle" aria-hidden="true" title="Drag to reorder">
        ⠿
      </span>
      <span class="item-number">{index + 1}.</span>
      <div class="item-body">
        {editing ? (
          <form onSubmit={save} aria-label={`Edit “${item.title}”`}>
            <ItemFields prefix={`edit-${item.id}`} draft={draft} onInput={setDraft} />
            <div class="button-row">
              <button type="submit">Save item</button>
              <button type="button" class="button-secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <>
            <ItemSummary item={item} />
            <PaperCell item={item} partnershipId={pack.partnership_id} meetingPublic={pack.public} editable choices={choices} onChanged={() => onSaved(`Paper saved for “${item.title}”.`)} />
          </>
        )}
      </div>
      {!editing && (
        <div class="item-actions">
          <button
            type="button"
            class="button-secondary button-small"
            id={`move-up-${item.id}`}
            disabled={busy || index === 0}
            aria-label={`Move “${item.title}” up`}
            onClick={() => onMove(index, -1, `move-up-${item.id}`)}
          >
            ↑ Up
          </button>
          <button
            type="button"
            class="button-secondary button-small"
            id={`move-down-${item.id}`}
            disabled={busy || index === count - 1}
            aria-label={`Move “${item.title}” down`}
            onClick={() => onMove(index, 1, `move-down-${item.id}`)}
          >
            ↓ Down
          </button>
          <button type="button" class="button-secondary button-small" aria-label={`Edit “${item.title}”`} onClick={startEdit}>
            Edit
          </button>
          {confirming ? (
            <>
              <button type="button" class="button-danger button-small" onClick={remove}>
                Confirm removal <span class="visually-hidden">of “{item.title}”</span>
              </button>
              <button type="button" class="button-secondary button-small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button
              type="button"
              class="button-secondary button-small"
              aria-label={`Remove “${item.title}”`}
              onClick={() => setConfirming(true)}
            >
              Remove
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** The agenda for those who manage the meeting: add, edit, remove, reorder, papers, publish. */
export function AgendaBuilder({ meeting, onChanged }: { meeting: Meeting; onChanged: () => void }) {
  const [pack, reload] = useResource(() => loadPack(meeting.id), [meeting.id]);
  const [papers, reloadPapers] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/reports", {
          params: { query: { partnership_id: meeting.partnership_id, sort: "-published_on", limit: 100 } },
        }),
      ),
    [meeting.partnership_id],
  );
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [message, setMessage] = useState("");
  const focusAfter = useRef<string | null>(null);

  useEffect(() => {
    if (pack.status === "ready" && focusAfter.current) {
      const target = document.getElementById(focusAfter.current) as HTMLButtonElement | null;
      // At the top or bottom the button is disabled: the other one keeps the focus.
      const fallback = focusAfter.current.startsWith("move-up")
        ? focusAfter.current.replace("move-up", "move-down")
        : focusAfter.current.replace("move-down", "move-up");
      (target && !target.disabled ? target : document.getElementById(fallback))?.focus();
      focusAfter.current = null;
    }
  }, [pack]);

  function changed(note: string) {
    setProblem(null);
    setMessage(note);
    reload();
    reloadPapers();
    onChanged();
  }

  async function run(work: () => Promise<unknown>, note: string) {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      changed(note);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  function reorder(ids: number[], note: string, focusId?: string) {
    if (focusId) focusAfter.current = focusId;
    return run(
      () =>
        unwrap(
          api.POST("/api/v1/meetings/{meeting_id}/agenda-items/reorder", {
            params: { path: { meeting_id: meeting.id } },
            body: { item_ids: ids },
          }),
        ),
      note,
    );
  }

  function nextPosition(items: PackItem[]) {
    return items.reduce((max, i) => Math.max(max, i.position), 0) + 1;
  }

  return (
    <Loadable resource={pack} label="agenda" onRetry={reload}>
      {(data) => {
        const ids = data.items.map((i) => i.id);
        const add = (event: Event) => {
          event.preventDefault();
          const body = { meeting_id: meeting.id, position: nextPosition(data.items), ...toBody(draft) };
          void run(async () => {
            await unwrap(api.POST("/api/v1/agenda-items", { body }));
            setDraft(emptyDraft);
          }, `Added “${body.title}”.`);
        };
        const addOpening = () =>
          run(async () => {
            let position = nextPosition(data.items);
            for (const title of STANDARD_OPENING) {
              await unwrap(api.POST("/api/v1/agenda-items", { body: { meeting_id: meeting.id, title, position: position++ } }));
            }
          }, "Added the standard opening.");
        const addReport = () =>
          run(
            () =>
              unwrap(
                api.POST("/api/v1/meetings/{meeting_id}/performance-report-paper", {
                  params: { path: { meeting_id: meeting.id } },
                  body: {},
                }),
              ),
            "The performance report is on the agenda.",
          );
        const publish = () =>
          run(
            () => unwrap(api.POST("/api/v1/meetings/{meeting_id}/agenda-pack/publication", { params: { path: { meeting_id: meeting.id } } })),
            "The agenda pack is published.",
          );
        const hasReport = data.items.some((i) => i.paper?.performance_as_of);
        const onAgenda = new Set(data.items.map((i) => i.report_id));
        const choices: PaperChoice[] =
          papers.status === "ready" ? papers.data.items.filter((r) => !onAgenda.has(r.id)).map((r) => ({ id: r.id, title: r.title })) : [];
        return (
          <div class="agenda-builder">
            <p class="muted small">
              {data.items.length} item{data.items.length === 1 ? "" : "s"}
              {data.total_minutes ? ` · ${formatMinutes(data.total_minutes)} allotted` : ""} ·{" "}
              {data.agenda_published_at ? `Pack published ${formatDateTime(data.agenda_published_at)}` : "Pack not published yet"} ·{" "}
              <a href={`/meetings/${meeting.id}/pack`}>Agenda pack</a>
            </p>
            <p class="visually-hidden" role="status" aria-live="polite">
              {message}
            </p>
            {problem && <ErrorMessage problem={problem} />}
            {data.items.length === 0 && (
              <div class="alert alert-info">
                <p>Start with the standard opening: {STANDARD_OPENING.join(", ")}.</p>
                <button type="button" disabled={busy} onClick={addOpening}>
                  Add the standard opening
                </button>
              </div>
            )}
            {data.items.length > 0 && (
              <>
                <p class="muted small">Drag an item, or use its Up and Down buttons, to change the order.</p>
                <ol class="builder-list" aria-label="Agenda items">
                  {data.items.map((item, index) => (
                    <Row
                      key={item.id}
                      item={item}
                      index={index}
                      count={data.items.length}
                      pack={data}
                      busy={busy}
                      onMove={(i, delta, focusId) =>
                        reorder(moved(ids, i, delta), `Moved “${item.title}” to position ${i + delta + 1}.`, focusId)
                      }
                      onDrop={(from, to) => reorder(dropped(ids, from, to), `Moved “${data.items[from]?.title ?? "the item"}” to position ${to + 1}.`)}
                      onSaved={changed}
                      onError={setProblem}
                      choices={choices}
                    />
                  ))}
                </ol>
              </>
            )}
            <form class="add-item" onSubmit={add} aria-labelledby="add-item-title">
              <h3 id="add-item-title">Add an item</h3>
              <ItemFields prefix="new-item" draft={draft} onInput={setDraft} />
              <button type="submit" disabled={busy}>
                Add item
              </button>
            </form>
            <div class="button-row">
              {!hasReport && (
                <button type="button" class="button-secondary" disabled={busy} onClick={addReport}>
                  Add the performance report as a paper
                </button>
              )}
              {data.items.length > 0 && meeting.status !== "cancelled" && (
                <button type="button" disabled={busy} onClick={publish}>
                  {data.agenda_published_at ? "Publish the agenda pack again" : "Publish the agenda pack"}
                </button>
              )}
            </div>
          </div>
        );
      }}
    </Loadable>
  );
}

/** The meeting screen's agenda: the builder for those who manage the meeting, else the list. */
export function AgendaSection({ meeting, editable, onChanged }: { meeting: Meeting; editable: boolean; onChanged: () => void }) {
  const [pack, reload] = useResource(() => (editable ? Promise.resolve(null) : loadPack(meeting.id)), [meeting.id, editable]);
  if (editable) return <AgendaBuilder meeting={meeting} onChanged={onChanged} />;
  return (
    <Loadable resource={pack} label="agenda" onRetry={reload}>
      {(data) =>
        data && (
          <>
            <AgendaList pack={data} />
            {data.items.length > 0 && (
              <p class="small">
                <a href={`/meetings/${meeting.id}/pack`}>Agenda pack</a> (agenda, papers and the performance report, to print)
              </p>
            )}
          </>
        )
      }
    </Loadable>
  );
}
