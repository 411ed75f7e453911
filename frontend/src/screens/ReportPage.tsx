import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { ReportOutcome } from "../api/types";
import { countyOnly } from "../auth/access";
import { useMe } from "../auth/AuthContext";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { SummaryBox } from "../components/SummaryBox";
import { formatDate, formatLongDate, todayIso } from "../lib/dates";
import { saveBlob } from "../lib/download";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

export function OutcomeSheet({ outcome }: { outcome: ReportOutcome }) {
  return (
    <section class="report-sheet" aria-labelledby={`report-outcome-${outcome.code}`}>
      <div class="report-head">
        <table class="report-meta">
          <tbody>
            <tr>
              <th scope="row">Outcome</th>
              <td id={`report-outcome-${outcome.code}`}>
                {outcome.code} {outcome.title}
              </td>
            </tr>
            <tr>
              <th scope="row">Date</th>
              <td>{formatLongDate(outcome.date)}</td>
            </tr>
            <tr>
              <th scope="row">Sub-group</th>
              <td>{outcome.sub_group}</td>
            </tr>
            <tr>
              <th scope="row">Contact</th>
              <td>
                {outcome.contact ? (
                  <>
                    {outcome.contact.name}
                    {outcome.contact.email && (
                      <>
                        , <a href={`mailto:${outcome.contact.email}`}>{outcome.contact.email}</a>
                      </>
                    )}
                  </>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          </tbody>
        </table>
        <SummaryBox counts={outcome.summary} caption="Summary" />
      </div>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={`Tasks for outcome ${outcome.code}`}>
      <table class="report-tasks">
        <caption class="visually-hidden">Tasks for outcome {outcome.code}</caption>
        <thead>
          <tr>
            <th scope="col">Ref</th>
            <th scope="col">Task</th>
            <th scope="col">Target</th>
            <th scope="col">Current position</th>
            <th scope="col">RAG</th>
            <th scope="col">Planned improvement</th>
            <th scope="col">Deadline</th>
            <th scope="col">Lead</th>
          </tr>
        </thead>
        {outcome.actions.map((action) => (
          <tbody key={action.id}>
            <tr class="report-action">
              <th scope="rowgroup" colSpan={8}>
                Action {action.ref}: {action.title}
              </th>
            </tr>
            {action.tasks.map((task) => (
              <tr key={task.id}>
                <td>
                  {action.ref}
                  {task.ref}
                </td>
                <td>{task.title}</td>
                <td>{task.target ?? ""}</td>
                <td>{task.position ?? ""}</td>
                <td>
                  <RagBadge rag={task.rag} />
                </td>
                <td>{task.planned_improvement ?? ""}</td>
                <td>{formatDate(task.deadline)}</td>
                <td>{task.lead_organisation ?? ""}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      </div>
    </section>
  );
}

/** The report as the API's CSV, one row per task, as of the date shown. */
function CsvDownload({ partnershipId, asOf }: { partnershipId: number; asOf: string }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function download() {
    setBusy(true);
    setProblem(null);
    try {
      const blob = await unwrap(
        api.GET("/api/v1/partnerships/{partnership_id}/performance-report.csv", {
          params: { path: { partnership_id: partnershipId }, query: { as_of: asOf } },
          parseAs: "blob",
        }),
      );
      saveBlob(blob as Blob, `performance-report-${partnershipId}-${asOf}.csv`);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" class="button-secondary" disabled={busy} onClick={() => void download()}>
        {busy ? "Preparing…" : "Download CSV"}
      </button>
      {problem && <ErrorMessage problem={problem} />}
    </>
  );
}

/** The bi-monthly performance report, laid out like the paper form and ready to print. */
export function ReportPage({ id }: { id: string }) {
  const partnershipId = Number(id);
  const { query, route, path } = useLocation();
  const me = useMe();
  const asOf = query.as_of ?? todayIso();
  const [report, reload] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/partnerships/{partnership_id}/performance-report", {
          params: { path: { partnership_id: partnershipId }, query: { as_of: asOf } },
        }),
      ),
    [partnershipId, asOf],
  );
  useTitle(report.status === "ready" ? report.data.title : "Performance report");

  return (
    <>
      <div class="report-toolbar no-print">
        {countyOnly(me.role) ? (
          <a href="/reports">Back to the reports</a>
        ) : (
          <a href={`/partnerships/${partnershipId}`}>Back to the partnership</a>
        )}
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const value = new FormData(e.currentTarget).get("as_of");
            route(`${path}?as_of=${String(value)}`);
          }}
        >
          <label for="report-as-of">Report as of</label>
          <input id="report-as-of" name="as_of" type="date" required defaultValue={asOf} />
          <button type="submit" class="button-secondary">
            Show
          </button>
        </form>
        <button type="button" onClick={() => window.print()}>
          Print report
        </button>
        <CsvDownload partnershipId={partnershipId} asOf={asOf} />
      </div>
      <Loadable resource={report} label="performance report" onRetry={reload}>
        {(data) => (
          <article class="report">
            <h1>
              {data.title}
              <span class="report-date"> as of {formatLongDate(data.as_of)}</span>
            </h1>
            {data.outcomes.length === 0 ? (
              <p>No outcomes in this partnership's action plan.</p>
            ) : (
              data.outcomes.map((outcome) => (
                <OutcomeSheet key={`${outcome.partnership_id}-${outcome.outcome_id}`} outcome={outcome} />
              ))
            )}
          </article>
        )}
      </Loadable>
    </>
  );
}
