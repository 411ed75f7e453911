import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import type { Indicator, LaaTarget, Measurement } from "../api/types";
import { Loadable } from "../components/Loadable";
import { TrendChart } from "../components/TrendChart";
import { formatDate } from "../lib/dates";
import { listAll, MAX_PAGE } from "../lib/directory";
import { comparePeriods, measuredPoints, periodAxis, trajectoryPoints } from "../lib/laa";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

async function loadTargets() {
  const [targets, indicators] = await Promise.all([
    listAll((offset) => unwrap(api.GET("/api/v1/laa-targets", { params: { query: { limit: MAX_PAGE, offset } } }))),
    listAll((offset) => unwrap(api.GET("/api/v1/indicators", { params: { query: { limit: MAX_PAGE, offset } } }))),
  ]);
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const withTargets = [...new Set(targets.map((t) => t.indicator_id))]
    .map((id) => byId.get(id))
    .filter((i): i is Indicator => i !== undefined)
    .sort((a, b) => a.code.localeCompare(b.code, "en-GB", { numeric: true }));
  return { targets, indicators: withTargets };
}

function unitSuffix(indicator: Indicator): string {
  return indicator.unit === "percent" ? "%" : "";
}

function Trajectory({ indicator, targets }: { indicator: Indicator; targets: LaaTarget[] }) {
  const [measurements, reload] = useResource(
    () =>
      listAll((offset) =>
        unwrap(
          api.GET("/api/v1/measurements", {
            params: { query: { indicator_id: indicator.id, limit: MAX_PAGE, offset } },
          }),
        ),
      ),
    [indicator.id],
  );
  return (
    <section class="card" aria-labelledby="trajectory-title">
      <h2 id="trajectory-title">
        {indicator.code} {indicator.title}
      </h2>
      <p class="muted">
        {indicator.polarity === "higher_is_better" ? "Higher is better" : "Lower is better"}
        {indicator.source ? ` · Source: ${indicator.source}` : ""}
      </p>
      <Loadable resource={measurements} label="measurements" onRetry={reload}>
        {(rows: Measurement[]) => {
          const points = measuredPoints(rows);
          const trajectory = trajectoryPoints(targets, points);
          return (
            <>
              <TrendChart
                title={`${indicator.code}: measured values against the LAA trajectory`}
                unit={unitSuffix(indicator)}
                periods={periodAxis(points, trajectory)}
                points={points}
                trajectory={trajectory}
              />
              <MeasurementTable rows={rows} />
            </>
          );
        }}
      </Loadable>
    </section>
  );
}

function MeasurementTable({ rows }: { rows: Measurement[] }) {
  if (rows.length === 0) return <p class="muted">No measurements reported yet.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Measurements">
      <table>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col">Area</th>
            <th scope="col">Value</th>
            <th scope="col">Reported</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.id}>
              <td>{m.period}</td>
              <td>{m.area}</td>
              <td>{m.value}</td>
              <td>{formatDate(m.reported_on)}</td>
              <td>{m.source ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Local Area Agreement indicators and targets, for the county and partnership officers. */
export function LaaPage() {
  useTitle("LAA indicators");
  const { query, path } = useLocation();
  const [resource, reload] = useResource(loadTargets, []);
  const selected = Number(query.indicator) || null;
  return (
    <>
      <h1>LAA indicators</h1>
      <Loadable resource={resource} label="LAA targets" onRetry={reload}>
        {({ targets, indicators }) => {
          const indicator = indicators.find((i) => i.id === selected);
          return (
            <>
              <section class="card" aria-labelledby="targets-title">
                <h2 id="targets-title">Indicators with targets</h2>
                <div class="table-scroll" tabIndex={0} role="region" aria-label="LAA targets">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Indicator</th>
                        <th scope="col">Area</th>
                        <th scope="col">Period</th>
                        <th scope="col">Baseline</th>
                        <th scope="col">Target</th>
                      </tr>
                    </thead>
                    {indicators.map((i) => {
                      const rows = targets
                        .filter((t) => t.indicator_id === i.id)
                        .sort((a, b) => a.area.localeCompare(b.area) || comparePeriods(a.period, b.period));
                      return (
                        <tbody key={i.id} class={i.id === selected ? "selected" : undefined}>
                          {rows.map((t, n) => (
                            <tr key={t.id}>
                              {n === 0 && (
                                <th scope="rowgroup" rowSpan={rows.length}>
                                  <a href={`${path}?indicator=${i.id}`} aria-current={i.id === selected ? "true" : undefined}>
                                    {i.code} {i.title}
                                  </a>
                                </th>
                              )}
                              <td>{t.area}</td>
                              <td class="nowrap">{t.period}</td>
                              <td>{t.baseline ?? "—"}</td>
                              <td>{t.target ?? "—"}</td>
                            </tr>
                          ))}
                        </tbody>
                      );
                    })}
                  </table>
                </div>
              </section>
              {indicator ? (
                <Trajectory indicator={indicator} targets={targets.filter((t) => t.indicator_id === indicator.id)} />
              ) : (
                <p class="muted">Choose an indicator to see its trajectory.</p>
              )}
            </>
          );
        }}
      </Loadable>
    </>
  );
}
