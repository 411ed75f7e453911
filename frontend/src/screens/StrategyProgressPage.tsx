import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import type { IndicatorProgress, OutcomeProgress } from "../api/types";
import { LaaRagBadge } from "../components/LaaRagBadge";
import { Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { SummaryBox } from "../components/SummaryBox";
import { formatDate, formatLongDate, todayIso } from "../lib/dates";
import { periodLabel, type LaaRag } from "../lib/laa";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import "../styles/laa.css";

const value = (v: number | null, unit: string) => (v == null ? "—" : `${Number(v.toPrecision(6))}${unit === "percent" ? "%" : ""}`);

function Indicators({ indicators }: { indicators: IndicatorProgress[] }) {
  if (indicators.length === 0) return null;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Indicators">
      <table>
        <thead>
          <tr>
            <th scope="col">Indicator</th>
            <th scope="col">Latest</th>
            <th scope="col">Target</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {indicators.map((i) => (
            <tr key={`${i.indicator_id}-${i.area}`}>
              <th scope="row">
                {i.code} {i.title}
              </th>
              <td>
                {value(i.latest_value, i.unit)}
                {i.latest_period && <span class="cell-note">{periodLabel(i.latest_period)}</span>}
              </td>
              <td>
                {value(i.target, i.unit)}
                {i.target_period && <span class="cell-note">{periodLabel(i.target_period)}</span>}
              </td>
              <td>
                <LaaRagBadge rag={i.rag as LaaRag} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Outcome({ outcome }: { outcome: OutcomeProgress }) {
  const id = `progress-outcome-${outcome.outcome_id}`;
  return (
    <section class="progress-outcome" aria-labelledby={id}>
      <div class="outcome-head">
        <h3 id={id}>
          {outcome.code} {outcome.title}
        </h3>
        <RagBadge rag={outcome.rag} />
      </div>
      <p class="muted">
        Lead:{" "}
        {outcome.lead_partnership_id ? (
          <a href={`/partnerships/${outcome.lead_partnership_id}/report`}>{outcome.lead_partnership}</a>
        ) : (
          "none"
        )}
      </p>
      {outcome.achieve && (
        <p>
          <strong>What we said we'd achieve:</strong> {outcome.achieve}
        </p>
      )}
      {outcome.how && (
        <p>
          <strong>How:</strong> {outcome.how}
        </p>
      )}
      <SummaryBox counts={outcome.summary} caption={`Tasks for outcome ${outcome.code}`} />
      {outcome.latest_updates.length > 0 && (
        <>
          <h4>Latest updates</h4>
          <ul class="task-list">
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
        </>
      )}
      <Indicators indicators={outcome.indicators} />
    </section>
  );
}

/** The strategy-wide progress table: per priority and outcome, tasks' RAG and indicators. */
export function StrategyProgressPage({ id }: { id: string }) {
  const strategyId = Number(id);
  const { query, path, route } = useLocation();
  const asOf = query.as_of ?? todayIso();
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
      <div class="report-toolbar">
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
      </div>
      <Loadable resource={progress} label="strategy progress" onRetry={reload}>
        {(data) => (
          <article class="card">
            <h1>
              {data.title}: progress
              <span class="report-date"> as of {formatLongDate(data.as_of)}</span>
            </h1>
            {data.vision && <p>{data.vision}</p>}
            <SummaryBox counts={data.summary} caption="All tasks" />
            {data.principles.length > 0 && (
              <>
                <h2>Principles</h2>
                <ol>
                  {data.principles.map((p) => (
                    <li key={p.position}>{p.text}</li>
                  ))}
                </ol>
              </>
            )}
            {data.priorities.map((priority) => (
              <section key={priority.priority_id ?? "none"} aria-label={priority.text ?? "Other outcomes"}>
                <h2>{priority.text ?? "Other outcomes"}</h2>
                {priority.outcomes.map((outcome) => (
                  <Outcome key={outcome.outcome_id} outcome={outcome} />
                ))}
              </section>
            ))}
          </article>
        )}
      </Loadable>
    </>
  );
}
