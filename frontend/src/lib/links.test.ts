import { describe, expect, it } from "vitest";
import { filterGroups, groupTasks, toggle } from "./links";

const plans = [
  { id: 1, title: "Action plan 2026", partnership_id: 10 },
  { id: 2, title: "Action plan 2026", partnership_id: 20 },
];
const actions = [
  { id: 5, ref: "1.1.1", action_plan_id: 1 },
  { id: 6, ref: "2.1.1", action_plan_id: 2 },
];
const names = new Map([
  [10, "Safer Streets Group"],
  [20, "Healthy Lives Board"],
]);

describe("groupTasks", () => {
  it("groups tasks by partnership and plan, labelled with their code, in code order", () => {
    const tasks = [
      { id: 3, ref: "b", title: "Second", action_id: 5 },
      { id: 1, ref: "a", title: "First", action_id: 5 },
      { id: 2, ref: "a", title: "Walk", action_id: 6 },
    ];
    expect(groupTasks(tasks, actions, plans, names)).toEqual([
      { label: "Healthy Lives Board: Action plan 2026", choices: [{ id: 2, label: "2.1.1a Walk" }] },
      {
        label: "Safer Streets Group: Action plan 2026",
        choices: [
          { id: 1, label: "1.1.1a First" },
          { id: 3, label: "1.1.1b Second" },
        ],
      },
    ]);
  });

  it("keeps a task whose action it cannot see under other tasks", () => {
    expect(groupTasks([{ id: 9, ref: "a", title: "Lost", action_id: 99 }], actions, plans, names)).toEqual([
      { label: "Other tasks", choices: [{ id: 9, label: "a Lost" }] },
    ]);
  });
});

describe("filterGroups", () => {
  const groups = [
    { label: "Safer Streets Group: plan", choices: [{ id: 1, label: "1.1.1a Street lights" }, { id: 2, label: "1.1.1b Patrols" }] },
    { label: "Healthy Lives Board: plan", choices: [{ id: 3, label: "2.1.1a Walks" }] },
  ];
  it("keeps what holds every word, matching the group's name too, and drops empty groups", () => {
    expect(filterGroups(groups, "LIGHTS")).toEqual([{ label: groups[0]!.label, choices: [groups[0]!.choices[0]] }]);
    expect(filterGroups(groups, "healthy walks")).toEqual([groups[1]]);
    expect(filterGroups(groups, "nothing like this")).toEqual([]);
  });
  it("keeps everything for a blank filter", () => {
    expect(filterGroups(groups, "  ")).toBe(groups);
  });
});

describe("toggle", () => {
  it("adds once, in order, and removes", () => {
    expect(toggle([1, 5], 3, true)).toEqual([1, 3, 5]);
    expect(toggle([1, 3], 3, true)).toEqual([1, 3]);
    expect(toggle([1, 3], 3, false)).toEqual([1]);
  });
});
