import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { useMe } from "../auth/AuthContext";
import { Loadable } from "../components/Loadable";
import { humanise } from "../lib/labels";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import { NewStrategyForm } from "./strategy/StrategyEditor";
import "../styles/laa.css";

/** The performance reports and strategy progress tables the signed-in principal may read. */
export function ReportsPage() {
  useTitle("Reports");
  const me = useMe();
  const { route } = useLocation();
  const [starting, setStarting] = useState(false);
  const [index, reload] = useResource(() => unwrap(api.GET("/api/v1/report-index")), []);
  return (
    <>
      <h1>Reports</h1>
      <Loadable resource={index} label="the reports" onRetry={reload}>
        {({ partnerships, strategies }) => {
          const withPlans = partnerships.filter((p) => p.has_action_plan);
          return (
            <div class="two-columns">
              <section class="card" aria-labelledby="performance-reports-title">
                <h2 id="performance-reports-title">Performance reports</h2>
                <p class="muted">Each partnership's action plan: Green, Amber and Red tasks per outcome, as of any date.</p>
                {withPlans.length === 0 ? (
                  <p>No performance reports to read.</p>
                ) : (
                  <ul class="link-list">
                    {withPlans.map((p) => (
                      <li key={p.partnership_id}>
                        <a href={`/partnerships/${p.partnership_id}/report`}>{p.name}</a>{" "}
                        <span class="muted">
                          {humanise(p.kind)}
                          {p.status === "inactive" ? " · inactive" : ""}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section class="card" aria-labelledby="strategy-progress-title">
                <h2 id="strategy-progress-title">Strategy progress</h2>
                <p class="muted">Each outcome of the community strategy: how its tasks stand and its indicators against target.</p>
                {strategies.length === 0 ? (
                  <p>No strategy yet.</p>
                ) : (
                  <ul class="link-list">
                    {strategies.map((s) => (
                      <li key={s.strategy_id}>
                        <a href={`/strategies/${s.strategy_id}/progress`}>{s.title}</a>
                        {s.period && <span class="muted"> {s.period}</span>}
                      </li>
                    ))}
                  </ul>
                )}
                {/* A strategy no partnership owns is the administrators' to start (the API's policy). */}
                {me.role === "admin" &&
                  (starting ? (
                    <NewStrategyForm
                      onDone={(id) => route(`/strategies/${id}/progress`)}
                      onCancel={() => setStarting(false)}
                    />
                  ) : (
                    <button type="button" class="button-secondary add-button" onClick={() => setStarting(true)}>
                      Start a strategy
                    </button>
                  ))}
              </section>
            </div>
          );
        }}
      </Loadable>
    </>
  );
}
