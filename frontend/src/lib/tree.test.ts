import { describe, expect, it } from "vitest";
import type { Action, Outcome, Task } from "../api/types";
import { buildPlanTree } from "./tree";

const stamp = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", version: 1 };
const outcome = (id: number, code: string): Outcome => ({
  ...stamp,
  id,
  code,
  title: `Outcome ${code}`,
  strategy_id: 1,
  achieve: null,
  how: null,
  lead_partnership_id: null,
  priority_id: null,
});
const action = (id: number, outcomeId: number, ref: string): Action => ({
  ...stamp,
  id,
  outcome_id: outcomeId,
  action_plan_id: 1,
  ref,
  title: `Action ${ref}`,
  decision_id: null,
});
const task = (id: number, actionId: number, ref: string, rag: Task["rag"]): Task => ({
  ...stamp,
  id,
  action_id: actionId,
  ref,
  rag,
  title: `Task ${ref}`,
  target: null,
  position: null,
  planned_improvement: null,
  deadline: null,
  lead_organisation_id: null,
  last_reported_on: null,
});

describe("buildPlanTree", () => {
  const tree = buildPlanTree(
    [outcome(1, "2.10"), outcome(2, "2.2"), outcome(3, "3.1")],
    [action(10, 1, "2"), action(11, 1, "1"), action(12, 2, "1")],
    [task(100, 11, "b", "red"), task(101, 11, "a", "green"), task(102, 10, "a", null)],
  );

  it("orders outcomes, actions and tasks naturally", () => {
    expect(tree.map((n) => n.outcome.code)).toEqual(["2.2", "2.10"]);
    const [, second] = tree;
    expect(second?.actions.map((a) => a.action.ref)).toEqual(["1", "2"]);
    expect(second?.actions[0]?.tasks.map((t) => t.ref)).toEqual(["a", "b"]);
  });

  it("counts RAG per outcome and drops outcomes without actions", () => {
    expect(tree.find((n) => n.outcome.code === "2.10")?.counts).toMatchObject({
      red: 1,
      green: 1,
      not_rated: 1,
      total: 3,
    });
    expect(tree.some((n) => n.outcome.code === "3.1")).toBe(false);
  });
});
