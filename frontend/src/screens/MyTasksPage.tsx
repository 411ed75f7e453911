import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import type { WorklistGroup, WorklistTask } from "../api/types";
import { Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { TaskPanel } from "../components/TaskPanel";
import { formatDate, formatLongDate } from "../lib/dates";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import "../styles/plan.css";

const EMPTY: Record<WorklistGroup["key"], string> = {
  due_this_cycle: "Nothing falls due before the next report.",
  not_updated: "Every task has an update this cycle.",
  overdue: "No task is past its deadline.",
  red: "No task is red.",
  other: "No other tasks.",
};

function Item({ task, open, onToggle, onSaved, groupKey }: {
  task: WorklistTask;
  open: boolean;
  onToggle: () => void;
  onSaved: () => void;
  groupKey: string;
}) {
  const code = `${task.action_ref}${task.ref}`;
  const panelId = `worklist-${groupKey}-${task.id}`;
  return (
    <li class="task-row">
      <div class="task-row-head">
        <span class="task-ref">{code}</span>
        <span class="task-title">
          <a href={`/tasks/${task.id}`}>{task.title}</a>
          <br />
          <span class="muted worklist-meta">
            <a href={`/partnerships/${task.partnership_id}`}>{task.partnership_name}</a> · outcome {task.outcome_code}
            {" · "}
            {task.last_reported_on ? `updated ${formatDate(task.last_reported_on)}` : "never updated"}
            {task.owner_name ? ` · owner ${task.owner_name}` : ""}
          </span>
        </span>
        <RagBadge rag={task.rag} />
        <span class={task.overdue ? "deadline overdue" : "deadline"}>
          {task.overdue ? "Overdue: " : "Due "}
          {formatDate(task.deadline)}
        </span>
        {task.can.update_status && (
          <button type="button" class="button-secondary" aria-expanded={open} aria-controls={panelId} onClick={onToggle}>
            {open ? "Close" : "Update"}
            <span class="visually-hidden"> task {code}</span>
          </button>
        )}
      </div>
      {open && (
        <div id={panelId}>
          <TaskPanel taskId={task.id} headingLevel={4} onSaved={onSaved} />
        </div>
      )}
    </li>
  );
}

/** "My worklist": the tasks my organisation leads across my partnerships, in the groups a
 * report asks about, each updated in place. */
export function MyTasksPage() {
  useTitle("My worklist");
  const [worklist, reload] = useResource(() => unwrap(api.GET("/api/v1/me/tasks")), []);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      <header class="page-head">
        <h1>My worklist</h1>
        <p class="muted">The tasks your organisation leads in your partnerships.</p>
      </header>
      <Loadable resource={worklist} label="your worklist" onRetry={reload}>
        {(data) =>
          data.organisation_id == null ? (
            <p class="card">Your account is not linked to an organisation, so no tasks are yours to lead.</p>
          ) : data.total === 0 ? (
            <p class="card">Your organisation leads no tasks in your partnerships.</p>
          ) : (
            <>
              <p class="muted">
                {data.total} tasks as of {formatLongDate(data.as_of)}. A task can be in more than one group.
              </p>
              {data.groups.map((group) => (
                <section key={group.key} class="card worklist-group" aria-labelledby={`group-${group.key}`}>
                  <h2 id={`group-${group.key}`}>
                    {group.title} <span class="muted">({group.items.length})</span>
                  </h2>
                  {group.items.length === 0 ? (
                    <p class="muted">{EMPTY[group.key]}</p>
                  ) : (
                    <ul class="task-rows">
                      {group.items.map((task) => {
                        const key = `${group.key}-${task.id}`;
                        return (
                          <Item
                            key={key}
                            groupKey={group.key}
                            task={task}
                            open={open === key}
                            onToggle={() => setOpen((current) => (current === key ? null : key))}
                            onSaved={reload}
                          />
                        );
                      })}
                    </ul>
                  )}
                </section>
              ))}
            </>
          )
        }
      </Loadable>
    </>
  );
}
