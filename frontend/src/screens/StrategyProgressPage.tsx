import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import type { IndicatorProgress, OutcomeProgress } from "../api/types";
import { LaaRagBadge } from "../components/LaaRagBadge";
import { Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { SummaryBox } from "../components/SummaryBox";
import { formatDate, formatLongDate, todayIso } from "../lib/dates";
import { periodLabel, type LaaRag } from "../lib/laa";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import { StrategyEditor } from "./strategy/StrategyEditor";
import "../styles/laa.css";

const value = (v: number | null, unit: string) => (v == null ? "—" : `${Number(v.toPrecision(6))}${unit === "percent" ? "%" : ""}`);

function IndicatorLines({ indicators }: { indicators: IndicatorProgress[] }) {
  if (indicators.length === 0) return null;
  return (
    <ul class="progress-indicators">
      {indicators.map((i) => (
        <li key={`${i.indicator_id}-${i.area}`}>
          <strong>{i.code}</strong> {i.title}: {value(i.latest_value, i.unit)}
          {i.latest_period && ` (${periodLabel(i.latest_period)})`} against LAA target {value(i.target, i.unit)}
          {i.target_period && ` (${periodLabel(i.target_period)})`} <LaaRagBadge rag={i.rag as LaaRag} />
        </li>
      ))}
    </ul>
  );
}

/** One row of the seed form: outcome, what we said we'd achieve, how, who, progress. */
function OutcomeRow({ outcome }: { outcome: OutcomeProgress }) {
  const id = `progress-outcome-${outcome.outcome_id}`;
  const s = outcome.summary;
  return (
    <tr id={id}>
      <th scope="row">
        <span class="outcome-code">{outcome.code}</span> {outcome.title}
      </th>
      <td>{outcome.achieve ?? "—"}</td>
      <td>{outcome.how ?? "—"}</td>
      <td>
        {outcome.lead_partnership_id ? (
          <a href={`/partnerships/${outcome.lead_partnership_id}/report`}>{outcome.lead_partnership}</a>
        ) : (
          "—"
        )}
      </td>
      <td class="progress-cell">
        <p>
          <RagBadge rag={outcome.rag} />{" "}
          <span class="muted small">
            {s.total} tasks: {s.green} green, {s.amber} amber, {s.red} red, {s.complete} complete
            {s.not_rated ? `, ${s.not_rated} not rated` : ""}
          </span>
        </p>
        {outcome.latest_updates.length > 0 && (
          <ul class="progress-updates" aria-label={`Latest updates for outcome ${outcome.code}`}>
            {outcome.latest_updates.map((u) => (
              <li key={`${u.task_id}-${u.reported_on}`}>
                <RagBadge rag={u.rag} /> {u.ref} {u.title}
                <span class="task-list-meta">
                  {formatDate(u.reported_on)}
                  {u.position ? ` · ${u.position}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
        <IndicatorLines indicators={outcome.indicators} />
      </td>
    </tr>
  );
}

/** The strategy-wide progress table: per priority and outcome, tasks' RAG and indicators. */
export function StrategyProgressPage({ id }: { id: string }) {
  const strategyId = Number(id);
  const { query, path, route } = useLocation();
  const asOf = query.as_of ?? todayIso();
  const { can } = useAuth();
  const [progress, reload] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/strategies/{strategy_id}/progress", {
          params: { path: { strategy_id: strategyId }, query: { as_of: asOf } },
        }),
      ),
    [strategyId, asOf],
  );
  useTitle(progress.status === "ready" ? `${progress.data.title}: progress` : "Strategy progress");
  return (
    <>
      <div class="report-toolbar no-print">
        <a href="/reports">Back to the reports</a>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            route(`${path}?as_of=${String(new FormData(e.currentTarget).get("as_of"))}`);
          }}
        >
          <label for="progress-as-of">Progress as of</label>
          <input id="progress-as-of" name="as_of" type="date" required defaultValue={asOf} />
          <button type="submit" class="button-secondary">
            Show
          </button>
        </form>
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <Loadable resource={progress} label="strategy progress" onRetry={reload}>
        {(data) => (
          <article class="card strategy-progress">
            <h1>
              {data.title}: progress
              <span class="report-date"> as of {formatLongDate(data.as_of)}</span>
            </h1>
            {data.vision && <p>{data.vision}</p>}
            <SummaryBox counts={data.summary} caption="All tasks" />
            {data.principles.length > 0 && (
              <>
                <h2>Our principles</h2>
                <ol>
                  {data.principles.map((p) => (
                    <li key={p.position}>{p.text}</li>
                  ))}
                </ol>
              </>
            )}
            {data.priorities.map((priority, n) => (
              <section
                key={priority.priority_id ?? "none"}
                class="progress-priority"
                aria-labelledby={`priority-${n}`}
              >
                <h2 id={`priority-${n}`}>
                  {priority.position ? `Priority ${priority.position}: ` : ""}
                  {priority.text ?? "Other outcomes"}
                </h2>
                <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={`priority-${n}`}>
                  <table class="progress-table">
                    <thead>
                      <tr>
                        <th scope="col">Outcome</th>
                        <th scope="col">What we said we'd achieve</th>
                        <th scope="col">How</th>
                        <th scope="col">Who</th>
                        <th scope="col">Progress to {formatDate(data.as_of)}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {priority.outcomes.map((outcome) => (
                        <OutcomeRow key={outcome.outcome_id} outcome={outcome} />
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
            ))}
          </article>
        )}
      </Loadable>
      {/* Only administrators and officers ever manage a partnership (the county may not even
          read the strategy's records): for them the editor asks the strategy's `can`. */}
      {can("admin", "officer") && <StrategyEditor strategyId={strategyId} onChanged={reload} />}
    </>
  );
}
