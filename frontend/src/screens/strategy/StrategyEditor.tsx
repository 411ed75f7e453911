import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import type { Principle, Priority, Strategy } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { MAX_PAGE } from "../../lib/directory";
import { changedFields, nextPosition } from "../../lib/plan";
import { useResource } from "../../lib/useResource";
import {
  blankToNull,
  DeleteButton,
  FormButtons,
  ifMatch,
  RaceNotice,
  TextField,
  useWrite,
} from "../partnership/PlanForms";
import "../../styles/plan.css";

async function loadStrategy(strategyId: number) {
  const query = { strategy_id: strategyId, limit: MAX_PAGE };
  const [strategy, principles, priorities] = await Promise.all([
    unwrap(api.GET("/api/v1/strategies/{item_id}", { params: { path: { item_id: strategyId } } })),
    unwrap(api.GET("/api/v1/principles", { params: { query } })),
    unwrap(api.GET("/api/v1/priorities", { params: { query } })),
  ]);
  return { strategy, principles: principles.items, priorities: priorities.items };
}

type Editing = string | null;

/** Start a strategy that no partnership owns (the community strategy): an administrator's
 * power. On success `onDone` gets the new strategy's id. */
export function NewStrategyForm({ onDone, onCancel }: { onDone: (id: number) => void; onCancel: () => void }) {
  const [title, setTitle] = useState("");
  const [period, setPeriod] = useState("");
  const [vision, setVision] = useState("");
  const write = useWrite();
  return (
    <form
      class="plan-form"
      aria-label="Start a strategy"
      onSubmit={(e) => {
        e.preventDefault();
        let created = 0;
        void write.run(
          async () => {
            const body = { title, period: blankToNull(period), vision: blankToNull(vision), partnership_id: null };
            created = (await unwrap(api.POST("/api/v1/strategies", { body }))).id;
          },
          () => onDone(created),
        );
      }}
    >
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id="strategy-new-title" label="Title" value={title} onInput={setTitle} required maxLength={300} />
      <TextField id="strategy-new-period" label="Period (e.g. 2026-2030)" value={period} onInput={setPeriod} maxLength={40} />
      <TextField id="strategy-new-vision" label="Vision" value={vision} onInput={setVision} multiline />
      <FormButtons busy={write.busy} label="Start the strategy" onCancel={onCancel} />
    </form>
  );
}

/** Title, period and vision of the strategy. */
function StrategyForm({ strategy, onDone, onCancel, onReload }: {
  strategy: Strategy;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const [title, setTitle] = useState(strategy.title);
  const [period, setPeriod] = useState(strategy.period ?? "");
  const [vision, setVision] = useState(strategy.vision ?? "");
  const write = useWrite(strategy.version);
  const [opened] = useState(strategy);
  const id = `strategy-${strategy.id}-edit`;
  return (
    <form
      class="plan-form"
      aria-label={`Change strategy ${strategy.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            unwrap(
              api.PATCH("/api/v1/strategies/{item_id}", {
                params: { path: { item_id: strategy.id }, header: { "if-match": ifMatch(strategy) } },
                body: changedFields(opened, { title, period: blankToNull(period), vision: blankToNull(vision) }),
              }),
            ),
          onDone,
        );
      }}
    >
      <RaceNotice noun="strategy" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-title`} label="Title" value={title} onInput={setTitle} required maxLength={300} />
      <TextField id={`${id}-period`} label="Period (e.g. 2026-2030)" value={period} onInput={setPeriod} maxLength={40} />
      <TextField id={`${id}-vision`} label="Vision" value={vision} onInput={setVision} multiline />
      <FormButtons busy={write.busy} label="Save the strategy" onCancel={onCancel} />
    </form>
  );
}

type Kind = "principle" | "priority";
type Line = Principle | Priority;

/** `line` is the record as it is now (its version goes in If-Match); `opened`, as the form
 * first showed it (only what changed since is sent). */
function saveLine(
  kind: Kind,
  strategyId: number,
  line: Line | undefined,
  opened: Line | undefined,
  body: { position: number; text: string },
) {
  if (line) {
    const options = {
      params: { path: { item_id: line.id }, header: { "if-match": ifMatch(line) } },
      body: changedFields(opened, body),
    };
    return kind === "principle"
      ? unwrap(api.PATCH("/api/v1/principles/{item_id}", options))
      : unwrap(api.PATCH("/api/v1/priorities/{item_id}", options));
  }
  const options = { body: { ...body, strategy_id: strategyId } };
  return kind === "principle"
    ? unwrap(api.POST("/api/v1/principles", options))
    : unwrap(api.POST("/api/v1/priorities", options));
}

/** Add a principle or priority to the strategy, or change one: its number (the order) and text. */
function LineForm({ kind, strategyId, line, position, onDone, onCancel, onReload }: {
  kind: Kind;
  strategyId: number;
  line?: Line;
  position: number;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const [number, setNumber] = useState(String(line?.position ?? position));
  const [text, setText] = useState(line?.text ?? "");
  const write = useWrite(line?.version);
  const [opened] = useState(line);
  const id = line ? `${kind}-${line.id}-edit` : `${kind}-new-${strategyId}`;
  const label = line ? `Change ${kind} ${line.position}` : `Add a ${kind}`;
  return (
    <form
      class="plan-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(() => saveLine(kind, strategyId, line, opened, { position: Number(number), text }), onDone);
      }}
    >
      <RaceNotice noun={kind} race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <div class="form-row">
        <label for={`${id}-position`}>Number (sets the order)</label>
        <input
          id={`${id}-position`}
          type="number"
          min={0}
          step={1}
          required
          value={number}
          onInput={(e) => setNumber(e.currentTarget.value)}
        />
      </div>
      <div class="form-row">
        <label for={`${id}-text`}>{kind === "principle" ? "Principle" : "Priority"}</label>
        <textarea id={`${id}-text`} rows={2} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <FormButtons busy={write.busy} label={line ? `Save ${kind}` : `Add ${kind}`} onCancel={onCancel} />
    </form>
  );
}

function Lines({ kind, strategy, lines, editing, setEditing, reload }: {
  kind: Kind;
  strategy: Strategy;
  lines: Line[];
  editing: Editing;
  setEditing: (key: Editing) => void;
  reload: () => void;
}) {
  const heading = kind === "principle" ? "Principles" : "Priorities";
  const headingId = `strategy-${strategy.id}-${kind}-lines`;
  const done = () => {
    setEditing(null);
    reload();
  };
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>{heading}</h3>
      {lines.length === 0 ? (
        <p class="muted">No {kind === "principle" ? "principles" : "priorities"} yet.</p>
      ) : (
        <ol class="strategy-lines">
          {lines.map((line) => (
            <li key={line.id} value={line.position}>
              {editing === `${kind}-${line.id}` ? (
                <LineForm
                  kind={kind}
                  strategyId={strategy.id}
                  line={line}
                  position={line.position}
                  onDone={done}
                  onCancel={() => setEditing(null)}
                  onReload={reload}
                />
              ) : (
                <>
                  <span>{line.text}</span>
                  {(line.can?.update || line.can?.delete) && (
                    <div class="plan-tools">
                      {line.can?.update && (
                        <button type="button" class="button-secondary" onClick={() => setEditing(`${kind}-${line.id}`)}>
                          Edit<span class="visually-hidden"> {kind} {line.position}</span>
                        </button>
                      )}
                      {line.can?.delete && (
                        <DeleteButton noun={kind} name={`${line.position}`} record={line} onDone={reload} onReload={reload} />
                      )}
                    </div>
                  )}
                </>
              )}
            </li>
          ))}
        </ol>
      )}
      {strategy.can?.update &&
        (editing === `${kind}-new` ? (
          <LineForm
            kind={kind}
            strategyId={strategy.id}
            position={nextPosition(lines)}
            onDone={done}
            onCancel={() => setEditing(null)}
            onReload={reload}
          />
        ) : (
          <button type="button" class="button-secondary add-button" onClick={() => setEditing(`${kind}-new`)}>
            Add a {kind}
          </button>
        ))}
    </section>
  );
}

/** The strategy's own words — title, period, vision, principles and priorities — for whoever
 * may change them (admins, and for a partnership's strategy its officers). Shows nothing to
 * everyone else. `onChanged` refreshes what the page shows of the strategy. */
export function StrategyEditor({ strategyId, onChanged }: { strategyId: number; onChanged: () => void }) {
  const [data, reload] = useResource(() => loadStrategy(strategyId), [strategyId]);
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<Editing>(null);
  const { route } = useLocation();
  // Nothing shows until the strategy's `can` is known, so no button appears and then goes.
  if (data.status === "loading" || (data.status === "ready" && !data.data.strategy.can?.update)) return null;
  const changed = () => {
    reload();
    onChanged();
  };
  const panelId = `strategy-${strategyId}-editor`;
  return (
    <section class="card strategy-editor no-print" aria-labelledby={`${panelId}-title`}>
      <h2 id={`${panelId}-title`}>The strategy</h2>
      <button type="button" class="button-secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        {open ? "Close the strategy editor" : "Edit the strategy"}
      </button>
      {open && (
        <div id={panelId}>
          <Loadable resource={data} label="the strategy" onRetry={reload}>
            {({ strategy, principles, priorities }) => (
              <>
                {editing === "strategy" ? (
                  <StrategyForm
                    strategy={strategy}
                    onDone={() => {
                      setEditing(null);
                      changed();
                    }}
                    onCancel={() => setEditing(null)}
                    onReload={reload}
                  />
                ) : (
                  <p>
                    <strong>{strategy.title}</strong>
                    {strategy.period ? ` (${strategy.period})` : ""}{" "}
                    <button type="button" class="button-secondary" onClick={() => setEditing("strategy")}>
                      Change title, period or vision
                    </button>
                  </p>
                )}
                <Lines kind="principle" strategy={strategy} lines={principles} editing={editing} setEditing={setEditing} reload={changed} />
                <Lines kind="priority" strategy={strategy} lines={priorities} editing={editing} setEditing={setEditing} reload={changed} />
                {strategy.can?.delete &&
                  (principles.length === 0 && priorities.length === 0 ? (
                    <div class="plan-tools">
                      <DeleteButton
                        noun="strategy"
                        name={strategy.title}
                        record={strategy}
                        onDone={() => route("/reports")}
                        onReload={reload}
                      />
                    </div>
                  ) : (
                    <p class="small muted">To delete this strategy, first delete its principles and priorities.</p>
                  ))}
              </>
            )}
          </Loadable>
        </div>
      )}
    </section>
  );
}
