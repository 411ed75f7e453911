import { api, unwrap } from "../api/client";
import { HistoryLink } from "../components/HistoryLink";
import { Loadable } from "../components/Loadable";
import { TaskPanel } from "../components/TaskPanel";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

async function loadContext(taskId: number) {
  const task = await unwrap(api.GET("/api/v1/tasks/{item_id}", { params: { path: { item_id: taskId } } }));
  const action = await unwrap(
    api.GET("/api/v1/actions/{item_id}", { params: { path: { item_id: task.action_id } } }),
  );
  const plan = await unwrap(
    api.GET("/api/v1/action-plans/{item_id}", { params: { path: { item_id: action.action_plan_id } } }),
  );
  return { task, action, plan };
}

/** A single task, reached from the dashboard's overdue and stale lists. */
export function TaskPage({ id }: { id: string }) {
  const taskId = Number(id);
  const [context, reload] = useResource(() => loadContext(taskId), [taskId]);
  useTitle(context.status === "ready" ? context.data.task.title : "Task");
  return (
    <Loadable resource={context} label="task" onRetry={reload}>
      {({ task, action, plan }) => (
        <>
          <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href={`/partnerships/${plan.partnership_id}`}>{plan.title}</a> › Action {action.ref}:{" "}
            {action.title}
          </nav>
          <h1>
            Task {task.ref}: {task.title}
          </h1>
          <HistoryLink resource="task" id={task.id} noun="task" />
          <section class="card">
            <TaskPanel taskId={task.id} headingLevel={2} />
          </section>
        </>
      )}
    </Loadable>
  );
}
