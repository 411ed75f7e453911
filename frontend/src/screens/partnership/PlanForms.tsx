import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { Action, ActionPlan, Organisation, Outcome, Person, Task } from "../../api/types";
import { ErrorMessage } from "../../components/Loadable";
import { MAX_PAGE } from "../../lib/directory";
import { changedFields } from "../../lib/plan";

/** The If-Match of a record read in a list: its version, as the API's ETag spells it. */
export const ifMatch = (record: { version: number }) => `"${record.version}"`;

/** A lost race (412): none, told, reloading, or reloaded (the record's new version arrived). */
type Race = "none" | "stale" | "reloading" | "reloaded";

/** The state every plan form shares: busy, the problem the server sent, or a lost race.
 * `version` is the record's, so the form knows when a reload has brought the latest. */
export function useWrite(version?: number) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [race, setRace] = useState<Race>("none");
  useEffect(() => setRace((r) => (r === "stale" || r === "reloading" ? "reloaded" : r)), [version]);
  async function run(write: () => Promise<unknown>, onDone: () => void) {
    setBusy(true);
    setProblem(null);
    try {
      await write();
      setRace("none");
      onDone();
    } catch (error) {
      const p = asProblem(error);
      if (p.status === 412) setRace("stale");
      else setProblem(p);
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, race, setRace, run };
}

/** What a lost race says: someone saved first; reload, check, try again. */
export function RaceNotice({ noun, race, onReload, setRace }: {
  noun: string;
  race: Race;
  onReload: () => void;
  setRace: (race: Race) => void;
}) {
  if (race === "none") return null;
  if (race === "reloaded") {
    return (
      <p class="alert alert-info" role="status">
        Reloaded the latest version of this {noun}. Your changes are still in the form: check them and save again.
      </p>
    );
  }
  return (
    <div class="alert alert-warning" role="alert">
      <p>Someone else changed this {noun} after you opened it, so your change was not saved.</p>
      <button
        type="button"
        class="button-secondary"
        disabled={race === "reloading"}
        onClick={() => {
          setRace("reloading");
          onReload();
        }}
      >
        {race === "reloading" ? "Reloading…" : "Reload the latest version"}
      </button>
    </div>
  );
}

type Buttons = { busy: boolean; label: string; onCancel: () => void };

export function FormButtons({ busy, label, onCancel }: Buttons) {
  return (
    <div class="form-buttons">
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : label}
      </button>
      <button type="button" class="button-secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

export const blankToNull = (value: string) => (value.trim() ? value : null);

type TextFieldProps = {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  required?: boolean;
  multiline?: boolean;
  maxLength?: number;
};

export function TextField({ id, label, value, onInput, required, multiline, maxLength }: TextFieldProps) {
  return (
    <div class="form-row">
      <label for={id}>
        {label}
        {required ? "" : " (optional)"}
      </label>
      {multiline ? (
        <textarea id={id} rows={2} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input
          id={id}
          type="text"
          required={required}
          maxLength={maxLength}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </div>
  );
}

// -- the plan itself ----------------------------------------------------------------------------

/** Start the partnership's action plan: its title and period. */
export function PlanForm({ partnershipId, onDone, onCancel }: { partnershipId: number; onDone: () => void; onCancel: () => void }) {
  const [title, setTitle] = useState("");
  const [period, setPeriod] = useState("");
  const write = useWrite();
  const id = `plan-new-${partnershipId}`;
  return (
    <form
      class="plan-form"
      aria-label="Start an action plan"
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            unwrap(
              api.POST("/api/v1/action-plans", {
                body: { partnership_id: partnershipId, title, period: blankToNull(period) },
              }),
            ),
          onDone,
        );
      }}
    >
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-title`} label="Title" value={title} onInput={setTitle} required maxLength={300} />
      <TextField id={`${id}-period`} label="Period (e.g. 2026-2028)" value={period} onInput={setPeriod} maxLength={40} />
      <FormButtons busy={write.busy} label="Start the plan" onCancel={onCancel} />
    </form>
  );
}

/** Rename the action plan or change its period. */
export function PlanEditForm({ plan, onDone, onCancel, onReload }: {
  plan: ActionPlan;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const [title, setTitle] = useState(plan.title);
  const [period, setPeriod] = useState(plan.period ?? "");
  const write = useWrite(plan.version);
  const [opened] = useState(plan);
  const id = `plan-${plan.id}-edit`;
  return (
    <form
      class="plan-form"
      aria-label={`Change action plan ${plan.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            unwrap(
              api.PATCH("/api/v1/action-plans/{item_id}", {
                params: { path: { item_id: plan.id }, header: { "if-match": ifMatch(plan) } },
                body: changedFields(opened, { title, period: blankToNull(period) }),
              }),
            ),
          onDone,
        );
      }}
    >
      <RaceNotice noun="action plan" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-title`} label="Title" value={title} onInput={setTitle} required maxLength={300} />
      <TextField id={`${id}-period`} label="Period (e.g. 2026-2028)" value={period} onInput={setPeriod} maxLength={40} />
      <FormButtons busy={write.busy} label="Save the plan" onCancel={onCancel} />
    </form>
  );
}

// -- outcomes ----------------------------------------------------------------------------------

type OutcomeFormProps = {
  outcome?: Outcome;
  strategyId: number;
  partnershipId: number;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
};

/** Add an outcome to the partnership's strategy, led by this partnership, or change one. */
export function OutcomeForm({ outcome, strategyId, partnershipId, onDone, onCancel, onReload }: OutcomeFormProps) {
  const [code, setCode] = useState(outcome?.code ?? "");
  const [title, setTitle] = useState(outcome?.title ?? "");
  const [achieve, setAchieve] = useState(outcome?.achieve ?? "");
  const [how, setHow] = useState(outcome?.how ?? "");
  const write = useWrite(outcome?.version);
  const [opened] = useState(outcome);
  const id = outcome ? `outcome-${outcome.id}-edit` : `outcome-new-${partnershipId}`;
  const body = { code, title, achieve: blankToNull(achieve), how: blankToNull(how) };

  return (
    <form
      class="plan-form"
      aria-label={outcome ? `Change outcome ${outcome.code}` : "Add an outcome"}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            outcome
              ? unwrap(
                  api.PATCH("/api/v1/outcomes/{item_id}", {
                    params: { path: { item_id: outcome.id }, header: { "if-match": ifMatch(outcome) } },
                    body: changedFields(opened, body),
                  }),
                )
              : unwrap(
                  api.POST("/api/v1/outcomes", {
                    body: { ...body, strategy_id: strategyId, lead_partnership_id: partnershipId },
                  }),
                ),
          onDone,
        );
      }}
    >
      <RaceNotice noun="outcome" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-code`} label="Code (e.g. 2.3)" value={code} onInput={setCode} required maxLength={20} />
      <TextField id={`${id}-title`} label="Outcome" value={title} onInput={setTitle} required maxLength={300} />
      <TextField id={`${id}-achieve`} label="What we said we'd achieve" value={achieve} onInput={setAchieve} multiline />
      <TextField id={`${id}-how`} label="How" value={how} onInput={setHow} multiline />
      <FormButtons busy={write.busy} label={outcome ? "Save outcome" : "Add outcome"} onCancel={onCancel} />
    </form>
  );
}

// -- actions -----------------------------------------------------------------------------------

type ActionFormProps = {
  action?: Action;
  outcome: Outcome;
  planId: number;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
};

export function ActionForm({ action, outcome, planId, onDone, onCancel, onReload }: ActionFormProps) {
  const [ref, setRef] = useState(action?.ref ?? `${outcome.code}.`);
  const [title, setTitle] = useState(action?.title ?? "");
  const write = useWrite(action?.version);
  const [opened] = useState(action);
  const id = action ? `action-${action.id}-edit` : `action-new-${outcome.id}`;

  return (
    <form
      class="plan-form"
      aria-label={action ? `Change action ${action.ref}` : `Add an action to outcome ${outcome.code}`}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            action
              ? unwrap(
                  api.PATCH("/api/v1/actions/{item_id}", {
                    params: { path: { item_id: action.id }, header: { "if-match": ifMatch(action) } },
                    body: changedFields(opened, { ref, title }),
                  }),
                )
              : unwrap(
                  api.POST("/api/v1/actions", {
                    body: { action_plan_id: planId, outcome_id: outcome.id, ref, title },
                  }),
                ),
          onDone,
        );
      }}
    >
      <RaceNotice noun="action" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-ref`} label="Reference" value={ref} onInput={setRef} required maxLength={20} />
      <TextField id={`${id}-title`} label="Action" value={title} onInput={setTitle} required maxLength={500} />
      <FormButtons busy={write.busy} label={action ? "Save action" : "Add action"} onCancel={onCancel} />
    </form>
  );
}

// -- tasks -------------------------------------------------------------------------------------

type TaskFormProps = {
  task?: Task;
  actionId: number;
  /** Where a task may move: the plan's actions, labelled. */
  actions: { id: number; label: string }[];
  organisations: Organisation[];
  /** The people directory, sorted by name: owners are chosen from it. */
  people: Person[];
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
};

/** The people who may own a task the organisation leads: those it employs and those who
 * represent it on a partnership today (memberships on its behalf the caller can see).
 * `null` while the representatives load. */
function useOwnerChoices(lead: string, people: Person[]): Person[] | null {
  const [representatives, setRepresentatives] = useState<{ lead: string; ids: Set<number> } | null>(null);
  useEffect(() => {
    if (!lead) return;
    let live = true;
    unwrap(
      api.GET("/api/v1/memberships", {
        params: { query: { on_behalf_of_id: Number(lead), current: true, limit: MAX_PAGE } },
      }),
    )
      .then((page) => live && setRepresentatives({ lead, ids: new Set(page.items.map((m) => m.person_id)) }))
      .catch(() => live && setRepresentatives({ lead, ids: new Set() }));
    return () => {
      live = false;
    };
  }, [lead]);
  if (!lead) return people;
  if (representatives?.lead !== lead) return null;
  return people.filter((p) => p.organisation_id === Number(lead) || representatives.ids.has(p.id));
}

/** Title, target, lead organisation, owner, deadline and, for a task that exists, its action. */
export function TaskForm({ task, actionId, actions, organisations, people, onDone, onCancel, onReload }: TaskFormProps) {
  const [ref, setRef] = useState(task?.ref ?? "");
  const [title, setTitle] = useState(task?.title ?? "");
  const [target, setTarget] = useState(task?.target ?? "");
  const [lead, setLead] = useState(task?.lead_organisation_id ? String(task.lead_organisation_id) : "");
  const [owner, setOwner] = useState(task?.owner_person_id ? String(task.owner_person_id) : "");
  const choices = useOwnerChoices(lead, people);
  // The saved owner stays on offer while the lead is the saved one (they may represent it on
  // a partnership the caller cannot see); an owner who is not one of a new lead's people goes.
  const saved = people.find((p) => p.id === task?.owner_person_id);
  const keepSaved = !!saved && !!choices && lead === String(task?.lead_organisation_id ?? "") && !choices.includes(saved);
  const owners = choices && saved && keepSaved ? [...choices, saved] : choices;
  useEffect(() => {
    if (owner && owners && !owners.some((p) => String(p.id) === owner)) setOwner("");
  }, [owners?.length, lead]);
  const leadName = organisations.find((o) => String(o.id) === lead)?.name;
  const [deadline, setDeadline] = useState(task?.deadline ?? "");
  const [action, setAction] = useState(String(task?.action_id ?? actionId));
  const write = useWrite(task?.version);
  const [opened] = useState(task);
  const id = task ? `task-${task.id}-edit` : `task-new-${actionId}`;
  const body = {
    ref,
    title,
    target: blankToNull(target),
    lead_organisation_id: lead ? Number(lead) : null,
    owner_person_id: owner ? Number(owner) : null,
    deadline: deadline || null,
  };

  return (
    <form
      class="plan-form"
      aria-label={task ? `Change task ${task.title}` : "Add a task"}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            task
              ? unwrap(
                  api.PATCH("/api/v1/tasks/{item_id}", {
                    params: { path: { item_id: task.id }, header: { "if-match": ifMatch(task) } },
                    body: changedFields(opened, { ...body, action_id: Number(action) }),
                  }),
                )
              : unwrap(api.POST("/api/v1/tasks", { body: { ...body, action_id: actionId } })),
          onDone,
        );
      }}
    >
      <RaceNotice noun="task" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <TextField id={`${id}-ref`} label="Reference (e.g. a, b)" value={ref} onInput={setRef} required maxLength={20} />
      <TextField id={`${id}-title`} label="Task" value={title} onInput={setTitle} required maxLength={500} />
      <TextField id={`${id}-target`} label="Target" value={target} onInput={setTarget} multiline />
      <div class="form-row">
        <label for={`${id}-lead`}>Lead organisation (optional)</label>
        <select id={`${id}-lead`} value={lead} onChange={(e) => setLead(e.currentTarget.value)}>
          <option value="">No lead yet</option>
          {organisations.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for={`${id}-owner`}>Owner (optional)</label>
        <select
          id={`${id}-owner`}
          value={owner}
          disabled={owners === null}
          aria-describedby={`${id}-owner-hint`}
          onChange={(e) => setOwner(e.currentTarget.value)}
        >
          <option value="">No owner</option>
          {owners && leadName ? (
            <optgroup label={`People of ${leadName}`}>
              {owners.map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </optgroup>
          ) : (
            owners?.map((p) => (
              <option key={p.id} value={String(p.id)}>
                {p.name}
              </option>
            ))
          )}
        </select>
        <p id={`${id}-owner-hint`} class="small muted">
          {owners === null
            ? "Loading the lead organisation's people…"
            : lead
              ? "The person responsible: someone the lead organisation employs or who represents it."
              : "The person responsible. With a lead organisation, the owner is one of its people."}
        </p>
      </div>
      <div class="form-row">
        <label for={`${id}-deadline`}>Deadline (optional)</label>
        <input id={`${id}-deadline`} type="date" value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
      </div>
      {task && (
        <div class="form-row">
          <label for={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            {actions.map((a) => (
              <option key={a.id} value={String(a.id)}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
      )}
      <FormButtons busy={write.busy} label={task ? "Save task" : "Add task"} onCancel={onCancel} />
    </form>
  );
}

// -- deleting ----------------------------------------------------------------------------------

type DeleteProps = {
  noun: "strategy" | "action plan" | "outcome" | "action" | "task" | "principle" | "priority";
  name: string;
  record: { id: number; version: number };
  onDone: () => void;
  onReload: () => void;
};

const IN_USE: Record<DeleteProps["noun"], string> = {
  strategy: "It still has outcomes, or a plan refers to it: move or delete them first.",
  "action plan": "It still has actions: delete them first.",
  outcome: "It still has actions: delete or move them first.",
  action: "It still has tasks: delete them or move them to another action first.",
  task: "A task with reported updates keeps its history: mark it complete instead.",
  principle: "Something still refers to it.",
  priority: "Outcomes still sit under it: move them to another priority first.",
};

/** What deleting does, after "Delete <noun> <name>?". */
const LEAVES: Record<DeleteProps["noun"], string> = {
  strategy: "It leaves the reports",
  "action plan": "The partnership is left without one",
  outcome: "It leaves the plan",
  action: "It leaves the plan",
  task: "It leaves the plan",
  principle: "It leaves the strategy",
  priority: "It leaves the strategy",
};

async function remove(noun: DeleteProps["noun"], id: number, etag: string) {
  const options = { params: { path: { item_id: id }, header: { "if-match": etag } } };
  if (noun === "action plan") return unwrap(api.DELETE("/api/v1/action-plans/{item_id}", options));
  if (noun === "strategy") return unwrap(api.DELETE("/api/v1/strategies/{item_id}", options));
  if (noun === "principle") return unwrap(api.DELETE("/api/v1/principles/{item_id}", options));
  if (noun === "priority") return unwrap(api.DELETE("/api/v1/priorities/{item_id}", options));
  if (noun === "outcome") return unwrap(api.DELETE("/api/v1/outcomes/{item_id}", options));
  if (noun === "action") return unwrap(api.DELETE("/api/v1/actions/{item_id}", options));
  return unwrap(api.DELETE("/api/v1/tasks/{item_id}", options));
}

/** Delete, after saying what goes; the audit trail keeps what was deleted and by whom. */
export function DeleteButton({ noun, name, record, onDone, onReload }: DeleteProps) {
  const [asking, setAsking] = useState(false);
  const write = useWrite(record.version);
  if (!asking) {
    return (
      <button type="button" class="button-secondary" onClick={() => setAsking(true)}>
        Delete<span class="visually-hidden"> {noun} {name}</span>
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={`Delete ${noun} ${name}?`}>
      <RaceNotice noun={noun} race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && (
        <>
          <ErrorMessage problem={write.problem} />
          {write.problem.status === 409 && <p class="small">{IN_USE[noun]}</p>}
        </>
      )}
      <p>
        Delete {noun} <strong>{name}</strong>? {LEAVES[noun]};
        the audit trail keeps a record of it.
      </p>
      <button
        type="button"
        class="button-danger"
        disabled={write.busy}
        onClick={() => void write.run(() => remove(noun, record.id, ifMatch(record)), onDone)}
      >
        {write.busy ? "Deleting…" : `Yes, delete this ${noun}`}
      </button>{" "}
      <button type="button" class="button-secondary" onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
    </div>
  );
}
