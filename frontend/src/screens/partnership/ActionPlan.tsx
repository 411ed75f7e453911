import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { ActionPlan as ActionPlanRecord, Me, Organisation, Person, Task } from "../../api/types";
import { useMe } from "../../auth/AuthContext";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { RagBadge } from "../../components/RagBadge";
import { SummaryBox } from "../../components/SummaryBox";
import { TaskPanel } from "../../components/TaskPanel";
import { formatDate, isOverdue, todayIso } from "../../lib/dates";
import { listAll, MAX_PAGE, organisationDirectory, peopleDirectory } from "../../lib/directory";
import { saveBlob } from "../../lib/download";
import {
  filtersFrom,
  isFiltered,
  searchOf,
  taskCsv,
  taskQuery,
  type PlanFilters,
} from "../../lib/plan";
import { RAG_KEYS, RAG_LABELS } from "../../lib/rag";
import { buildPlanTree, type OutcomeNode } from "../../lib/tree";
import { useResource } from "../../lib/useResource";
import { ActionForm, DeleteButton, OutcomeForm, PlanEditForm, PlanForm, TaskForm } from "./PlanForms";
import "../../styles/plan.css";

/** The strategy a partnership's outcomes belong to: that of the nearest partnership above it
 * that has one, else its own (as the tasks import decides). */
async function strategyFor(partnershipId: number): Promise<number | null> {
  const strategies = await unwrap(api.GET("/api/v1/strategies", { params: { query: { limit: MAX_PAGE } } }));
  const owned = new Map<number, number>();
  for (const s of strategies.items) if (s.partnership_id != null) owned.set(s.partnership_id, s.id);
  const own = await unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: partnershipId } } }));
  const seen = new Set<number>([partnershipId]);
  let parent = own.parent_id ?? null;
  while (parent != null && !seen.has(parent)) {
    seen.add(parent);
    const found = owned.get(parent);
    if (found != null) return found;
    const next = await unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: parent } } }));
    parent = next.parent_id ?? null;
  }
  return owned.get(partnershipId) ?? null;
}

async function loadPlan(partnershipId: number, filters: PlanFilters) {
  const plans = await unwrap(
    api.GET("/api/v1/action-plans", { params: { query: { partnership_id: partnershipId } } }),
  );
  // Whoever may change the plan adds outcomes, actions and tasks to it; without a plan, whoever
  // may change the partnership starts one.
  const manage = plans.items.length
    ? !!plans.items[0]?.can?.update
    : !!(
        await unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: partnershipId } } }))
      ).can?.update;
  const [actions, outcomes, tasks, organisations, strategyId, people] = await Promise.all([
    Promise.all(
      plans.items.map((plan) =>
        listAll((offset) =>
          unwrap(
            api.GET("/api/v1/actions", {
              params: { query: { action_plan_id: plan.id, limit: MAX_PAGE, offset } },
            }),
          ),
        ),
      ),
    ).then((lists) => lists.flat()),
    listAll((offset) =>
      unwrap(api.GET("/api/v1/outcomes", { params: { query: { limit: MAX_PAGE, offset } } })),
    ),
    listAll((offset) =>
      unwrap(
        api.GET("/api/v1/tasks", {
          params: { query: { partnership_id: partnershipId, limit: MAX_PAGE, offset, ...taskQuery(filters) } },
        }),
      ),
    ),
    organisationDirectory(),
    manage ? strategyFor(partnershipId) : Promise.resolve(null),
    // owners are chosen from the directory by whoever keeps the plan
    manage ? peopleDirectory() : Promise.resolve(new Map<number, Person>()),
  ]);
  const filtered = isFiltered(filters);
  let tree = buildPlanTree(outcomes, actions, tasks, (o) => !filtered && o.lead_partnership_id === partnershipId);
  if (filtered) {
    tree = tree
      .map((node) => ({ ...node, actions: node.actions.filter((a) => a.tasks.length > 0) }))
      .filter((node) => node.actions.length > 0);
  }
  const directory = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
  const actionCounts = new Map<number, number>();
  for (const a of actions) actionCounts.set(a.action_plan_id, (actionCounts.get(a.action_plan_id) ?? 0) + 1);
  return { plans: plans.items, actionCounts, tree, tasks, organisations, people: directory, strategyId, manage };
}

type Plan = Awaited<ReturnType<typeof loadPlan>>;

/** Which form is open: at most one at a time, named by what it adds or changes. */
type Editing = string | null;

type Context = {
  me: Me;
  partnershipId: number;
  planId: number | null;
  manage: boolean;
  organisations: Organisation[];
  people: Person[];
  actionChoices: { id: number; label: string }[];
  editing: Editing;
  setEditing: (key: Editing) => void;
  openTask: number | null;
  toggleTask: (id: number) => void;
  reload: () => void;
};

function TaskRow({ task, code, ctx }: { task: Task; code: string; ctx: Context }) {
  const panelId = `task-panel-${task.id}`;
  const overdue = isOverdue(task, todayIso());
  const open = ctx.openTask === task.id;
  const editKey = `task-${task.id}`;
  const done = () => {
    ctx.setEditing(null);
    ctx.reload();
  };
  return (
    <li class="task-row">
      <div class="task-row-head">
        <span class="task-ref">{code}</span>
        <span class="task-title">{task.title}</span>
        <RagBadge rag={task.rag} />
        {task.owner_name && <span class="task-owner">Owner: {task.owner_name}</span>}
        <span class={overdue ? "deadline overdue" : "deadline"}>
          {overdue ? "Overdue: " : "Due "}
          {formatDate(task.deadline)}
        </span>
        <button
          type="button"
          class="button-secondary"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => ctx.toggleTask(task.id)}
        >
          {open ? "Close" : task.can?.update_status ? "Update" : "Details"}
          <span class="visually-hidden"> task {code}</span>
        </button>
        {task.can?.update && (
          <button type="button" class="button-secondary" onClick={() => ctx.setEditing(editKey)}>
            Edit<span class="visually-hidden"> task {code}</span>
          </button>
        )}
        {task.can?.delete && (
          <DeleteButton noun="task" name={`${code} ${task.title}`} record={task} onDone={ctx.reload} onReload={ctx.reload} />
        )}
      </div>
      {ctx.editing === editKey && (
        <TaskForm
          task={task}
          actionId={task.action_id}
          actions={ctx.actionChoices}
          organisations={ctx.organisations}
          people={ctx.people}
          onDone={done}
          onCancel={() => ctx.setEditing(null)}
          onReload={ctx.reload}
        />
      )}
      {open && (
        <div id={panelId}>
          <TaskPanel taskId={task.id} headingLevel={5} onSaved={ctx.reload} />
        </div>
      )}
    </li>
  );
}

function OutcomeSection({ node, ctx, strategyId }: { node: OutcomeNode; ctx: Context; strategyId: number | null }) {
  const { outcome, actions, counts } = node;
  const done = () => {
    ctx.setEditing(null);
    ctx.reload();
  };
  const editOutcome = !!outcome.can?.update;
  return (
    <section class="outcome" aria-labelledby={`outcome-${outcome.id}`}>
      <div class="outcome-head">
        <h3 id={`outcome-${outcome.id}`}>
          {outcome.code} {outcome.title}
        </h3>
        <SummaryBox counts={counts} caption={`Outcome ${outcome.code} task summary`} />
      </div>
      {editOutcome && (
        <div class="plan-tools">
          <button type="button" class="button-secondary" onClick={() => ctx.setEditing(`outcome-${outcome.id}`)}>
            Edit<span class="visually-hidden"> outcome {outcome.code}</span>
          </button>
          {actions.length === 0 && outcome.can?.delete && (
            <DeleteButton noun="outcome" name={`${outcome.code} ${outcome.title}`} record={outcome} onDone={ctx.reload} onReload={ctx.reload} />
          )}
        </div>
      )}
      {ctx.editing === `outcome-${outcome.id}` && strategyId != null && (
        <OutcomeForm
          outcome={outcome}
          strategyId={strategyId}
          partnershipId={ctx.partnershipId}
          onDone={done}
          onCancel={() => ctx.setEditing(null)}
          onReload={ctx.reload}
        />
      )}
      {actions.map(({ action, tasks }) => (
        <div class="action" key={action.id}>
          <h4>
            Action {action.ref}: {action.title}
          </h4>
          {action.can?.update && (
            <div class="plan-tools">
              <button type="button" class="button-secondary" onClick={() => ctx.setEditing(`action-${action.id}`)}>
                Edit<span class="visually-hidden"> action {action.ref}</span>
              </button>
              {tasks.length === 0 && action.can.delete && (
                <DeleteButton noun="action" name={`${action.ref} ${action.title}`} record={action} onDone={ctx.reload} onReload={ctx.reload} />
              )}
            </div>
          )}
          {ctx.editing === `action-${action.id}` && (
            <ActionForm
              action={action}
              outcome={outcome}
              planId={action.action_plan_id}
              onDone={done}
              onCancel={() => ctx.setEditing(null)}
              onReload={ctx.reload}
            />
          )}
          {tasks.length > 0 && (
            <ul class="task-rows">
              {tasks.map((task) => (
                <TaskRow key={task.id} task={task} code={`${action.ref}${task.ref}`} ctx={ctx} />
              ))}
            </ul>
          )}
          {ctx.manage &&
            (ctx.editing === `task-new-${action.id}` ? (
              <TaskForm
                actionId={action.id}
                actions={ctx.actionChoices}
                organisations={ctx.organisations}
                people={ctx.people}
                onDone={done}
                onCancel={() => ctx.setEditing(null)}
                onReload={ctx.reload}
              />
            ) : (
              <button type="button" class="button-secondary add-button" onClick={() => ctx.setEditing(`task-new-${action.id}`)}>
                Add a task<span class="visually-hidden"> to action {action.ref}</span>
              </button>
            ))}
        </div>
      ))}
      {ctx.manage &&
        ctx.planId != null &&
        (ctx.editing === `action-new-${outcome.id}` ? (
          <ActionForm
            outcome={outcome}
            planId={ctx.planId}
            onDone={done}
            onCancel={() => ctx.setEditing(null)}
            onReload={ctx.reload}
          />
        ) : (
          <button type="button" class="button-secondary add-button" onClick={() => ctx.setEditing(`action-new-${outcome.id}`)}>
            Add an action<span class="visually-hidden"> to outcome {outcome.code}</span>
          </button>
        ))}
    </section>
  );
}

/** The plan's title and period; whoever may change the plan renames it, changes its period
 * or, once it has no actions, deletes it. */
function PlanHeading({ plan, actions, editing, setEditing, reload }: {
  plan: ActionPlanRecord;
  actions: number;
  editing: Editing;
  setEditing: (key: Editing) => void;
  reload: () => void;
}) {
  const key = `plan-${plan.id}`;
  const done = () => {
    setEditing(null);
    reload();
  };
  return (
    <div class="plan-heading">
      <p class="muted">
        {plan.title}
        {plan.period ? ` (${plan.period})` : ""}
      </p>
      {(plan.can?.update || plan.can?.delete) && editing !== key && (
        <div class="plan-tools">
          {plan.can?.update && (
            <button type="button" class="button-secondary" onClick={() => setEditing(key)}>
              Rename or change period<span class="visually-hidden"> of action plan {plan.title}</span>
            </button>
          )}
          {plan.can?.delete &&
            (actions === 0 ? (
              <DeleteButton noun="action plan" name={plan.title} record={plan} onDone={reload} onReload={reload} />
            ) : (
              <p class="small muted">
                To delete this action plan, first delete its {actions} {actions === 1 ? "action" : "actions"}.
              </p>
            ))}
        </div>
      )}
      {editing === key && (
        <PlanEditForm plan={plan} onDone={done} onCancel={() => setEditing(null)} onReload={reload} />
      )}
    </div>
  );
}

/** RAG, lead, overdue, stale and deadline range, kept in the address (?rag=&lead=&…). */
function FilterForm({ filters, organisations }: { filters: PlanFilters; organisations: Organisation[] }) {
  const { path, route } = useLocation();
  const [draft, setDraft] = useState<PlanFilters>(filters);
  useEffect(() => setDraft(filters), [searchOf(filters)]);
  const set = <K extends keyof PlanFilters>(key: K, value: PlanFilters[K]) => setDraft((d) => ({ ...d, [key]: value }));
  return (
    <form
      class="plan-filters"
      aria-label="Filter the tasks"
      onSubmit={(e) => {
        e.preventDefault();
        route(`${path}${searchOf(draft)}`);
      }}
    >
      <div class="form-row">
        <label for="plan-filter-rag">Status</label>
        <select id="plan-filter-rag" value={draft.rag} onChange={(e) => set("rag", e.currentTarget.value)}>
          <option value="">Any</option>
          {RAG_KEYS.map((key) => (
            <option key={key} value={key}>
              {RAG_LABELS[key]}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for="plan-filter-lead">Lead organisation</label>
        <select id="plan-filter-lead" value={draft.lead} onChange={(e) => set("lead", e.currentTarget.value)}>
          <option value="">Any</option>
          {organisations.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for="plan-filter-from">Deadline from</label>
        <input id="plan-filter-from" type="date" value={draft.from} onInput={(e) => set("from", e.currentTarget.value)} />
      </div>
      <div class="form-row">
        <label for="plan-filter-to">Deadline to</label>
        <input id="plan-filter-to" type="date" value={draft.to} onInput={(e) => set("to", e.currentTarget.value)} />
      </div>
      <div class="form-row checkbox-row">
        <input id="plan-filter-overdue" type="checkbox" checked={draft.overdue} onChange={(e) => set("overdue", e.currentTarget.checked)} />
        <label for="plan-filter-overdue">Overdue only</label>
      </div>
      <div class="form-row checkbox-row">
        <input id="plan-filter-stale" type="checkbox" checked={draft.stale} onChange={(e) => set("stale", e.currentTarget.checked)} />
        <label for="plan-filter-stale">Not updated this cycle only</label>
      </div>
      <div class="form-buttons">
        <button type="submit">Filter</button>
        {isFiltered(filters) && (
          <a class="button-link button-secondary" href={path}>
            Clear filters
          </a>
        )}
      </div>
    </form>
  );
}

const EXPORTS = [
  { format: "csv", label: "CSV" },
  { format: "xlsx", label: "XLSX (Excel)" },
] as const;

/** This view as CSV (the rows shown, in order), and the API's export of every task. */
function Downloads({ plan, partnershipId, filters, me }: { plan: Plan; partnershipId: number; filters: PlanFilters; me: Me }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const rows = plan.tree.flatMap((node) =>
    node.actions.flatMap(({ action, tasks }) => tasks.map((task) => ({ code: `${action.ref}${task.ref}`, task }))),
  );
  const name = `action-plan-${partnershipId}${isFiltered(filters) ? "-filtered" : ""}.csv`;

  async function exportAll(format: (typeof EXPORTS)[number]["format"]) {
    setBusy(format);
    setProblem(null);
    try {
      const blob = await unwrap(
        api.GET("/api/v1/exports/{kind}", { params: { path: { kind: "tasks" }, query: { format } }, parseAs: "blob" }),
      );
      saveBlob(blob as Blob, `tasks.${format}`);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div class="downloads" role="group" aria-label="Downloads">
      <button
        type="button"
        class="button-secondary"
        disabled={rows.length === 0}
        onClick={() => saveBlob(new Blob([taskCsv(rows, plan.organisations)], { type: "text/csv" }), name)}
      >
        Download these {rows.length} tasks (CSV)
      </button>
      {me.role !== "partner" &&
        EXPORTS.map((e) => (
          <button key={e.format} type="button" class="button-secondary" disabled={busy !== null} onClick={() => void exportAll(e.format)}>
            {busy === e.format ? "Preparing…" : `Export all my partnerships' tasks (${e.label})`}
          </button>
        ))}
      {problem && <ErrorMessage problem={problem} />}
    </div>
  );
}

/** The action plan as a tree: outcome → action → task. Tasks are updated in place by whoever
 * the API lets update them; the partnership's officers add, change and delete its parts. */
export function ActionPlan({ partnershipId }: { partnershipId: number }) {
  const me = useMe();
  const { query } = useLocation();
  const filters = filtersFrom(query);
  const [plan, reload] = useResource(() => loadPlan(partnershipId, filters), [partnershipId, searchOf(filters)]);
  const [openTask, setOpenTask] = useState<number | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const toggleTask = (id: number) => setOpenTask((current) => (current === id ? null : id));
  return (
    <Loadable resource={plan} label="action plan" onRetry={reload}>
      {(data) => {
        const organisations = [...data.organisations.values()].sort((a, b) => a.name.localeCompare(b.name));
        const ctx: Context = {
          me,
          partnershipId,
          planId: data.plans[0]?.id ?? null,
          manage: data.manage,
          organisations,
          people: data.people,
          actionChoices: data.tree.flatMap((n) =>
            n.actions.map(({ action }) => ({ id: action.id, label: `${action.ref}: ${action.title}` })),
          ),
          editing,
          setEditing,
          openTask,
          toggleTask,
          reload,
        };
        const filtered = isFiltered(filters);
        const done = () => {
          setEditing(null);
          reload();
        };
        return (
          <>
            {data.plans.map((p) => (
              <PlanHeading
                key={p.id}
                plan={p}
                actions={data.actionCounts.get(p.id) ?? 0}
                editing={editing}
                setEditing={setEditing}
                reload={reload}
              />
            ))}
            <FilterForm filters={filters} organisations={organisations} />
            <p role="status" class="muted">
              {filtered ? `${data.tasks.length} tasks match these filters.` : `${data.tasks.length} tasks.`}
            </p>
            <Downloads plan={data} partnershipId={partnershipId} filters={filters} me={me} />
            {data.plans.length === 0 ? (
              <>
                <p class="muted">This partnership has no action plan yet.</p>
                {data.manage &&
                  (editing === "plan-new" ? (
                    <PlanForm partnershipId={partnershipId} onDone={done} onCancel={() => setEditing(null)} />
                  ) : (
                    <button type="button" class="add-button" onClick={() => setEditing("plan-new")}>
                      Start an action plan
                    </button>
                  ))}
              </>
            ) : data.tree.length === 0 ? (
              <p class="muted">{filtered ? "No task matches these filters." : "The action plan has no outcomes yet."}</p>
            ) : (
              data.tree.map((node) => (
                <OutcomeSection key={node.outcome.id} node={node} ctx={ctx} strategyId={data.strategyId} />
              ))
            )}
            {data.manage && data.plans.length > 0 && !filtered && data.strategyId != null &&
              (editing === "outcome-new" ? (
                <OutcomeForm
                  strategyId={data.strategyId}
                  partnershipId={partnershipId}
                  onDone={done}
                  onCancel={() => setEditing(null)}
                  onReload={reload}
                />
              ) : (
                <button type="button" class="add-button" onClick={() => setEditing("outcome-new")}>
                  Add an outcome
                </button>
              ))}
          </>
        );
      }}
    </Loadable>
  );
}

