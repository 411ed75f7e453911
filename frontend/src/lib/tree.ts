import type { Action, Outcome, Task } from "../api/types";
import { countRag, type RagCounts } from "./rag";

export type ActionNode = { action: Action; tasks: Task[] };
export type OutcomeNode = { outcome: Outcome; actions: ActionNode[]; counts: RagCounts };

const collator = new Intl.Collator("en-GB", { numeric: true });
const byRef = <T extends { ref: string }>(a: T, b: T) => collator.compare(a.ref, b.ref);

/** Codes and refs sort as people read them: 2.2 before 2.10, b before c. */
const compareCodes = (a: string, b: string): number => collator.compare(a, b);

/** Outcome → action → task, as the action plan is printed. Orphans are left out, except the
 * outcomes `keep` names (e.g. a new outcome of this partnership, before it has actions). */
export function buildPlanTree(
  outcomes: readonly Outcome[],
  actions: readonly Action[],
  tasks: readonly Task[],
  keep: (outcome: Outcome) => boolean = () => false,
): OutcomeNode[] {
  const tasksByAction = new Map<number, Task[]>();
  for (const task of tasks) {
    const list = tasksByAction.get(task.action_id) ?? [];
    list.push(task);
    tasksByAction.set(task.action_id, list);
  }
  return [...outcomes]
    .sort((a, b) => compareCodes(a.code, b.code))
    .map((outcome) => {
      const nodes = actions
        .filter((a) => a.outcome_id === outcome.id)
        .sort(byRef)
        .map((action) => ({ action, tasks: (tasksByAction.get(action.id) ?? []).sort(byRef) }));
      return { outcome, actions: nodes, counts: countRag(nodes.flatMap((n) => n.tasks)) };
    })
    .filter((node) => node.actions.length > 0 || keep(node.outcome));
}
