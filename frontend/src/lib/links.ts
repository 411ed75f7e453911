/** The indicator links editor's choices: outcomes and tasks, grouped and filtered by text. */

export type Choice = { id: number; label: string };
export type ChoiceGroup = { label: string; choices: Choice[] };

type TaskLike = { id: number; ref: string; title: string; action_id: number };
type ActionLike = { id: number; ref: string; action_plan_id: number };
type PlanLike = { id: number; title: string; partnership_id: number };

/** Tasks grouped by the action plan they sit in (named with its partnership), each labelled
 * with its code (action ref + task ref) and title; groups and tasks in code order. */
export function groupTasks(
  tasks: TaskLike[],
  actions: ActionLike[],
  plans: PlanLike[],
  partnershipNames: Map<number, string>,
): ChoiceGroup[] {
  const actionsById = new Map(actions.map((a) => [a.id, a]));
  const plansById = new Map(plans.map((p) => [p.id, p]));
  const groups = new Map<string, Choice[]>();
  for (const task of tasks) {
    const action = actionsById.get(task.action_id);
    const plan = action ? plansById.get(action.action_plan_id) : undefined;
    const label = plan
      ? `${partnershipNames.get(plan.partnership_id) ?? `Partnership ${plan.partnership_id}`}: ${plan.title}`
      : "Other tasks";
    const choice = { id: task.id, label: `${action?.ref ?? ""}${task.ref} ${task.title}`.trim() };
    groups.set(label, [...(groups.get(label) ?? []), choice]);
  }
  const byCode = (a: Choice, b: Choice) => a.label.localeCompare(b.label, undefined, { numeric: true });
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, choices]) => ({ label, choices: choices.sort(byCode) }));
}

/** The groups' choices whose label (or group's label) holds every word of `filter`, ignoring
 * case; empty groups go. A blank filter keeps everything. */
export function filterGroups(groups: ChoiceGroup[], filter: string): ChoiceGroup[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return groups;
  const hit = (text: string) => words.every((w) => text.toLowerCase().includes(w));
  return groups
    .map((g) => ({ ...g, choices: g.choices.filter((c) => hit(`${g.label} ${c.label}`)) }))
    .filter((g) => g.choices.length > 0);
}

/** `ids` with `id` added (checked) or taken out. */
export function toggle(ids: number[], id: number, checked: boolean): number[] {
  const rest = ids.filter((i) => i !== id);
  return checked ? [...rest, id].sort((a, b) => a - b) : rest;
}
