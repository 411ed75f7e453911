import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import type { Task } from "../../api/types";
import { Loadable } from "../../components/Loadable";
import { RagBadge } from "../../components/RagBadge";
import { SummaryBox } from "../../components/SummaryBox";
import { TaskPanel } from "../../components/TaskPanel";
import { formatDate, isOverdue, todayIso } from "../../lib/dates";
import { listAll, MAX_PAGE } from "../../lib/directory";
import { buildPlanTree, type OutcomeNode } from "../../lib/tree";
import { useResource } from "../../lib/useResource";

async function loadPlan(partnershipId: number) {
  const plans = await unwrap(
    api.GET("/api/v1/action-plans", { params: { query: { partnership_id: partnershipId } } }),
  );
  const [actions, outcomes, tasks] = await Promise.all([
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
          params: { query: { partnership_id: partnershipId, limit: MAX_PAGE, offset } },
        }),
      ),
    ),
  ]);
  return { plans: plans.items, tree: buildPlanTree(outcomes, actions, tasks) };
}

type TaskRowProps = { task: Task; code: string; open: boolean; onToggle: () => void; onSaved: () => void };

function TaskRow({ task, code, open, onToggle, onSaved }: TaskRowProps) {
  const panelId = `task-panel-${task.id}`;
  const overdue = isOverdue(task, todayIso());
  return (
    <li class="task-row">
      <div class="task-row-head">
        <span class="task-ref">{code}</span>
        <span class="task-title">{task.title}</span>
        <RagBadge rag={task.rag} />
        <span class={overdue ? "deadline overdue" : "deadline"}>
          {overdue ? "Overdue: " : "Due "}
          {formatDate(task.deadline)}
        </span>
        <button
          type="button"
          class="button-secondary"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={onToggle}
        >
          {open ? "Close" : task.can?.update_status ? "Update" : "Details"}
          <span class="visually-hidden"> task {code}</span>
        </button>
      </div>
      {open && (
        <div id={panelId}>
          <TaskPanel taskId={task.id} headingLevel={5} onSaved={onSaved} />
        </div>
      )}
    </li>
  );
}

function OutcomeSection({ node, openTask, onToggle, onSaved }: {
  node: OutcomeNode;
  openTask: number | null;
  onToggle: (id: number) => void;
  onSaved: () => void;
}) {
  const { outcome, actions, counts } = node;
  return (
    <section class="outcome" aria-labelledby={`outcome-${outcome.id}`}>
      <div class="outcome-head">
        <h3 id={`outcome-${outcome.id}`}>
          {outcome.code} {outcome.title}
        </h3>
        <SummaryBox counts={counts} caption={`Outcome ${outcome.code} task summary`} />
      </div>
      {actions.map(({ action, tasks }) => (
        <div class="action" key={action.id}>
          <h4>
            Action {action.ref}: {action.title}
          </h4>
          <ul class="task-rows">
            {tasks.map((task) => (
              <TaskRow
                key={task.id}
                task={task}
                code={`${action.ref}${task.ref}`}
                open={openTask === task.id}
                onToggle={() => onToggle(task.id)}
                onSaved={onSaved}
              />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** The action plan as a tree: outcome → action → task, each task updatable in place. */
export function ActionPlan({ partnershipId }: { partnershipId: number }) {
  const [plan, reload] = useResource(() => loadPlan(partnershipId), [partnershipId]);
  const [openTask, setOpenTask] = useState<number | null>(null);
  const toggle = (id: number) => setOpenTask((current) => (current === id ? null : id));
  return (
    <Loadable resource={plan} label="action plan" onRetry={reload}>
      {({ plans, tree }) =>
        tree.length === 0 ? (
          <p class="muted">This partnership has no action plan yet.</p>
        ) : (
          <>
            <p class="muted">{plans.map((p) => `${p.title}${p.period ? ` (${p.period})` : ""}`).join("; ")}</p>
            {tree.map((node) => (
              <OutcomeSection key={node.outcome.id} node={node} openTask={openTask} onToggle={toggle} onSaved={reload} />
            ))}
          </>
        )
      }
    </Loadable>
  );
}
