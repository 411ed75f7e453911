import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import type { Indicator, Outcome } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { listAll, MAX_PAGE } from "../../lib/directory";
import { filterGroups, groupTasks, toggle, type ChoiceGroup } from "../../lib/links";
import { useResource } from "../../lib/useResource";
import { FormButtons, RaceNotice, useWrite } from "../partnership/PlanForms";
import "../../styles/plan.css";

const outcomeLabel = (o: Outcome) => `${o.code} ${o.title}`;

/** The indicator's links, with the outcomes' codes and titles and the tasks' titles. Whoever
 * may change the indicator (an administrator) reads every task, so each linked one is looked
 * up; anyone else looks among the tasks they read, and a task of a partnership they do not
 * see is named by its number. */
async function loadLinks(indicator: Indicator) {
  const [links, outcomes] = await Promise.all([
    unwrap(api.GET("/api/v1/indicators/{item_id}/links", { params: { path: { item_id: indicator.id } } })),
    listAll((offset) => unwrap(api.GET("/api/v1/outcomes", { params: { query: { limit: MAX_PAGE, offset } } }))),
  ]);
  const outcomeIds = links.outcome_ids ?? [];
  const taskIds = links.task_ids ?? [];
  let titles: Map<number, string>;
  if (taskIds.length === 0) titles = new Map();
  else if (indicator.can?.update) {
    const found = await Promise.all(
      taskIds.map((id) => unwrap(api.GET("/api/v1/tasks/{item_id}", { params: { path: { item_id: id } } }))),
    );
    titles = new Map(found.map((t) => [t.id, t.title]));
  } else {
    const readable = await listAll((offset) =>
      unwrap(api.GET("/api/v1/tasks", { params: { query: { limit: MAX_PAGE, offset } } })),
    );
    titles = new Map(readable.map((t) => [t.id, t.title]));
  }
  const tasks = taskIds.map((id) => ({ id, title: titles.get(id) ?? null }));
  return { version: links.version, outcomeIds, taskIds, outcomes, tasks };
}

type Links = Awaited<ReturnType<typeof loadLinks>>;

/** Every outcome (by strategy) and every task the caller reads (by partnership and plan). */
async function loadChoices(outcomes: Outcome[]) {
  const page = <T,>(get: (offset: number) => Promise<{ items: T[]; total: number }>) => listAll(get);
  const [tasks, actions, plans, partnerships, strategies] = await Promise.all([
    page((offset) => unwrap(api.GET("/api/v1/tasks", { params: { query: { limit: MAX_PAGE, offset } } }))),
    page((offset) => unwrap(api.GET("/api/v1/actions", { params: { query: { limit: MAX_PAGE, offset } } }))),
    page((offset) => unwrap(api.GET("/api/v1/action-plans", { params: { query: { limit: MAX_PAGE, offset } } }))),
    page((offset) => unwrap(api.GET("/api/v1/partnerships", { params: { query: { limit: MAX_PAGE, offset } } }))),
    page((offset) => unwrap(api.GET("/api/v1/strategies", { params: { query: { limit: MAX_PAGE, offset } } }))),
  ]);
  const names = new Map(partnerships.map((p) => [p.id, p.name]));
  const strategyTitles = new Map(strategies.map((s) => [s.id, s.title]));
  const outcomeGroups: ChoiceGroup[] = [...new Set(outcomes.map((o) => o.strategy_id))].map((id) => ({
    label: strategyTitles.get(id) ?? `Strategy ${id}`,
    choices: outcomes
      .filter((o) => o.strategy_id === id)
      .map((o) => ({ id: o.id, label: outcomeLabel(o) }))
      .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true })),
  }));
  return { outcomeGroups, taskGroups: groupTasks(tasks, actions, plans, names) };
}

function Checklist({ name, legend, groups, chosen, onChange }: {
  name: string;
  legend: string;
  groups: ChoiceGroup[];
  chosen: number[];
  onChange: (ids: number[]) => void;
}) {
  return (
    <fieldset class="link-checklist">
      <legend>
        {legend} ({chosen.length} chosen)
      </legend>
      {groups.length === 0 && <p class="muted small">None match the filter.</p>}
      <div class="link-choices">
        {groups.map((group) => (
          <div key={group.label} class="link-group" role="group" aria-label={group.label}>
            <p class="small muted">{group.label}</p>
            {group.choices.map((choice) => {
              const id = `${name}-${choice.id}`;
              return (
                <div key={choice.id} class="form-row checkbox">
                  <input
                    id={id}
                    type="checkbox"
                    checked={chosen.includes(choice.id)}
                    onChange={(e) => onChange(toggle(chosen, choice.id, e.currentTarget.checked))}
                  />
                  <label for={id}>{choice.label}</label>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/** Choose the outcomes and tasks the indicator belongs to, and save the complete lists. */
function LinksForm({ indicator, data, onDone, onCancel, onReload }: {
  indicator: Indicator;
  data: Links;
  onDone: () => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const [choices, reloadChoices] = useResource(() => loadChoices(data.outcomes), []);
  const [outcomeIds, setOutcomeIds] = useState(data.outcomeIds);
  const [taskIds, setTaskIds] = useState(data.taskIds);
  const [filter, setFilter] = useState("");
  const write = useWrite(data.version);
  const id = `indicator-${indicator.id}-links`;
  return (
    <form
      class="plan-form"
      aria-label={`Change the links of indicator ${indicator.code}`}
      onSubmit={(e) => {
        e.preventDefault();
        void write.run(
          () =>
            unwrap(
              api.PUT("/api/v1/indicators/{item_id}/links", {
                params: { path: { item_id: indicator.id }, header: { "if-match": `"${data.version}"` } },
                body: { outcome_ids: outcomeIds, task_ids: taskIds },
              }),
            ),
          onDone,
        );
      }}
    >
      <RaceNotice noun="indicator" race={write.race} onReload={onReload} setRace={write.setRace} />
      {write.problem && <ErrorMessage problem={write.problem} />}
      <Loadable resource={choices} label="the outcomes and tasks" onRetry={reloadChoices}>
        {({ outcomeGroups, taskGroups }) => (
          <>
            <div class="form-row">
              <label for={`${id}-filter`}>Show only those matching</label>
              <input
                id={`${id}-filter`}
                type="search"
                value={filter}
                onInput={(e) => setFilter(e.currentTarget.value)}
                aria-describedby={`${id}-filter-hint`}
              />
              <p id={`${id}-filter-hint`} class="small muted">
                Code, title, partnership or plan. What is chosen stays chosen while hidden.
              </p>
            </div>
            <Checklist
              name={`${id}-outcome`}
              legend="Outcomes"
              groups={filterGroups(outcomeGroups, filter)}
              chosen={outcomeIds}
              onChange={setOutcomeIds}
            />
            <Checklist
              name={`${id}-task`}
              legend="Tasks"
              groups={filterGroups(taskGroups, filter)}
              chosen={taskIds}
              onChange={setTaskIds}
            />
          </>
        )}
      </Loadable>
      <FormButtons busy={write.busy} label="Save the links" onCancel={onCancel} />
    </form>
  );
}

/** "Linked outcomes and tasks" on an indicator: read by everyone who opens it; changed, as
 * complete lists, by whoever may change the indicator. `onChanged` refreshes the dashboard
 * (its rows name the linked outcomes). */
export function IndicatorLinks({ indicator, area, onChanged }: { indicator: Indicator; area: string; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const panelId = `indicator-${indicator.id}-${area}-links`;
  return (
    <div class="indicator-links no-print">
      <button type="button" class="button-secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        Linked outcomes and tasks<span class="visually-hidden"> of {indicator.code}</span>
      </button>
      {open && (
        <div id={panelId}>
          <LinksPanel indicator={indicator} onChanged={onChanged} />
        </div>
      )}
    </div>
  );
}

function LinksPanel({ indicator, onChanged }: { indicator: Indicator; onChanged: () => void }) {
  const [data, reload] = useResource(() => loadLinks(indicator), [indicator.id]);
  const [editing, setEditing] = useState(false);
  return (
    <Loadable resource={data} label="the indicator's links" onRetry={reload}>
      {(links) => {
        const byId = new Map(links.outcomes.map((o) => [o.id, o]));
        return editing ? (
          <LinksForm
            indicator={indicator}
            data={links}
            onDone={() => {
              setEditing(false);
              reload();
              onChanged();
            }}
            onCancel={() => setEditing(false)}
            onReload={reload}
          />
        ) : (
          <>
            {links.outcomeIds.length === 0 && links.tasks.length === 0 ? (
              <p class="muted small">Not linked to any outcome or task.</p>
            ) : (
              <ul class="small" aria-label={`Linked to ${indicator.code}`}>
                {links.outcomeIds.map((id) => {
                  const outcome = byId.get(id);
                  return <li key={`o-${id}`}>Outcome {outcome ? outcomeLabel(outcome) : id}</li>;
                })}
                {links.tasks.map((task) => (
                  <li key={`t-${task.id}`}>
                    {task.title == null ? (
                      `Task ${task.id} (of a partnership you do not follow)`
                    ) : (
                      <>
                        Task <a href={`/tasks/${task.id}`}>{task.title}</a>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {indicator.can?.update && (
              <button type="button" class="button-secondary" onClick={() => setEditing(true)}>
                Change the links<span class="visually-hidden"> of {indicator.code}</span>
              </button>
            )}
          </>
        );
      }}
    </Loadable>
  );
}
