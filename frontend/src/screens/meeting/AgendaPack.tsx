import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { formatBytes, formatMinutes } from "../../lib/agenda";
import { formatDateTime, formatLongDate } from "../../lib/dates";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import "../../styles/papers.css";
import { useTitle } from "../../lib/useTitle";
import { OutcomeSheet } from "../ReportPage";
import { loadPack } from "./AgendaBuilder";
import { DownloadButton } from "./Papers";

/** A meeting's agenda, its papers and the performance report: one document to read and print. */
export function AgendaPackPage({ id }: { id: string }) {
  const meetingId = Number(id);
  const [pack, reload] = useResource(() => loadPack(meetingId), [meetingId]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(pack.status === "ready" ? `Agenda pack: ${pack.data.title}` : "Agenda pack");

  async function publish() {
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST("/api/v1/meetings/{meeting_id}/agenda-pack/publication", { params: { path: { meeting_id: meetingId } } }));
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Loadable resource={pack} label="agenda pack" onRetry={reload}>
      {(data) => {
        const papers = data.items.filter((i) => i.paper);
        return (
          <>
            <div class="report-toolbar no-print">
              <a href={`/meetings/${meetingId}`}>Back to the meeting</a>
              {data.can.update && data.items.length > 0 && data.status !== "cancelled" && (
                <button type="button" class="button-secondary" disabled={busy} onClick={publish}>
                  {data.agenda_published_at ? "Publish again" : "Publish the agenda pack"}
                </button>
              )}
              <button type="button" onClick={() => window.print()}>
                Print agenda pack
              </button>
            </div>
            {problem && <ErrorMessage problem={problem} />}
            <article class="agenda-pack">
              <header class="pack-head">
                <p class="muted">{data.partnership_name}</p>
                <h1>{data.title}</h1>
                <p>
                  {formatDateTime(data.starts_at)}
                  {data.location ? ` · ${data.location}` : ""} · {humanise(data.status)}
                </p>
                <p class="muted small">
                  {data.agenda_published_at ? `Published ${formatDateTime(data.agenda_published_at)}` : "Draft: not published yet"}
                </p>
              </header>
              <section aria-labelledby="pack-agenda">
                <h2 id="pack-agenda">Agenda</h2>
                {data.items.length === 0 ? (
                  <p class="muted">No items yet.</p>
                ) : (
                  <ol class="pack-agenda">
                    {data.items.map((item) => (
                      <li key={item.id}>
                        <strong>{item.title}</strong>
                        {item.presenter && <span> — {item.presenter}</span>}
                        {item.minutes_allotted ? <span class="muted"> ({item.minutes_allotted} min)</span> : null}
                        {item.paper && <span class="small"> · Paper: {item.paper.title}</span>}
                      </li>
                    ))}
                  </ol>
                )}
                {data.total_minutes > 0 && <p class="muted small">Time allotted: {formatMinutes(data.total_minutes)}.</p>}
              </section>
              <section aria-labelledby="pack-papers">
                <h2 id="pack-papers">Papers</h2>
                {papers.length === 0 ? (
                  <p class="muted">No papers.</p>
                ) : (
                  <div class="table-scroll" tabIndex={0} role="region" aria-label="Papers">
                    <table class="pack-papers">
                      <thead>
                        <tr>
                          <th scope="col">Item</th>
                          <th scope="col">Paper</th>
                          <th scope="col">Decision required</th>
                          <th scope="col">File</th>
                        </tr>
                      </thead>
                      <tbody>
                        {papers.map((item) => {
                          const paper = item.paper!;
                          return (
                            <tr key={item.id}>
                              <td>{data.items.indexOf(item) + 1}</td>
                              <td>
                                {paper.title}
                                {paper.author && <span class="muted small"> ({paper.author})</span>}
                              </td>
                              <td>{paper.decision_required ?? ""}</td>
                              <td>
                                {paper.file ? (
                                  <>
                                    <span class="print-only">
                                      {paper.file.name}, {formatBytes(paper.file.size)}
                                    </span>
                                    <span class="no-print">
                                      <DownloadButton file={paper.file} />
                                    </span>
                                  </>
                                ) : paper.performance_as_of ? (
                                  "Below"
                                ) : (
                                  "—"
                                )}
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
              {data.performance_report && (
                <section class="report pack-report" aria-labelledby="pack-report">
                  <h2 id="pack-report">
                    Performance report <span class="report-date">as of {formatLongDate(data.performance_report.as_of)}</span>
                  </h2>
                  {data.performance_report.outcomes.length === 0 ? (
                    <p>No outcomes in this partnership's action plan.</p>
                  ) : (
                    data.performance_report.outcomes.map((outcome) => (
                      <OutcomeSheet key={`${outcome.partnership_id}-${outcome.outcome_id}`} outcome={outcome} />
                    ))
                  )}
                </section>
              )}
            </article>
          </>
        );
      }}
    </Loadable>
  );
}
