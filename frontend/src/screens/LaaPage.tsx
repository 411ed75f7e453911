import { useLocation } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { Indicator, LaaTarget, Measurement } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { LAA_RAG_MEANINGS, LaaRagBadge } from "../components/LaaRagBadge";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { TrendChart } from "../components/TrendChart";
import { formatDate } from "../lib/dates";
import { listAll, MAX_PAGE } from "../lib/directory";
import { saveBlob } from "../lib/download";
import {
  comparePeriods,
  countLaaRag,
  headlineRows,
  latestMeasurement,
  measuredPoints,
  parseExport,
  periodLabel,
  quarterAxis,
  targetPoints,
  trajectorySegments,
  type ExportRow,
  type LaaRag,
} from "../lib/laa";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import { IndicatorLinks } from "./laa/IndicatorLinks";
import "../styles/laa.css";

/** The dashboard's filters, kept in the address: ?area=&period=&partnership_id= */
type Filters = { area: string; period: string; partnership_id: string };

function filtersFrom(query: Record<string, string>): Filters {
  return { area: query.area ?? "", period: query.period ?? "", partnership_id: query.partnership_id ?? "" };
}

/** The export's query for these filters: what the dashboard shows is what a download holds. */
function exportQuery(filters: Filters) {
  return {
    ...(filters.area ? { area: filters.area } : {}),
    ...(filters.period ? { period: filters.period } : {}),
    ...(filters.partnership_id ? { partnership_id: Number(filters.partnership_id) } : {}),
  };
}

function searchOf(filters: Filters): string {
  const params = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function loadDashboard(filters: Filters) {
  const area = filters.area ? { area: filters.area } : {};
  const [text, indicators, targets, measurements, index] = await Promise.all([
    unwrap(
      api.GET("/api/v1/laa/export", { params: { query: { format: "json", ...exportQuery(filters) } }, parseAs: "text" }),
    ),
    listAll((offset) => unwrap(api.GET("/api/v1/indicators", { params: { query: { limit: MAX_PAGE, offset } } }))),
    listAll((offset) => unwrap(api.GET("/api/v1/laa-targets", { params: { query: { limit: MAX_PAGE, offset } } }))),
    listAll((offset) =>
      unwrap(api.GET("/api/v1/measurements", { params: { query: { limit: MAX_PAGE, offset, ...area } } })),
    ),
    unwrap(api.GET("/api/v1/report-index")),
  ]);
  return {
    rows: parseExport(text as string),
    indicators: new Map(indicators.map((i) => [i.code, i])),
    targets,
    measurements,
    partnerships: index.partnerships.filter((p) => p.leads_outcomes),
  };
}

type Data = Awaited<ReturnType<typeof loadDashboard>>;

const FORMATS = [
  { format: "csv", label: "CSV", extension: "csv" },
  { format: "xlsx", label: "XLSX (Excel)", extension: "xlsx" },
  { format: "json", label: "JSON Lines", extension: "jsonl" },
] as const;

function fileName(filters: Filters, extension: string): string {
  const parts = ["laa-export", filters.area, filters.period, filters.partnership_id && `partnership-${filters.partnership_id}`];
  return `${parts.filter(Boolean).join("-")}.${extension}`;
}

/** Download buttons: the same export, with the same filters, in each format. */
function Downloads({ filters }: { filters: Filters }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function download(format: (typeof FORMATS)[number]) {
    setBusy(format.format);
    setProblem(null);
    try {
      const blob = await unwrap(
        api.GET("/api/v1/laa/export", {
          params: { query: { format: format.format, ...exportQuery(filters) } },
          parseAs: "blob",
        }),
      );
      saveBlob(blob as Blob, fileName(filters, format.extension));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <div class="downloads" role="group" aria-label="Download the LAA export with these filters">
        {FORMATS.map((f) => (
          <button key={f.format} type="button" class="button-secondary" disabled={busy !== null} onClick={() => void download(f)}>
            {busy === f.format ? "Preparing…" : `Download ${f.label}`}
          </button>
        ))}
      </div>
      {problem && <ErrorMessage problem={problem} />}
    </>
  );
}

function FilterForm({ filters, data }: { filters: Filters; data: Data }) {
  const { path, route } = useLocation();
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filters), [filters.area, filters.period, filters.partnership_id]);
  const areas = [...new Set(data.targets.map((t) => t.area))].sort();
  const periods = [...new Set(data.targets.map((t) => t.period))].sort(comparePeriods);
  const set = (key: keyof Filters, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  return (
    <form
      class="card"
      aria-labelledby="laa-filters-title"
      onSubmit={(event) => {
        event.preventDefault();
        route(`${path}${searchOf(draft)}`);
      }}
    >
      <h2 id="laa-filters-title">Filters</h2>
      <div class="laa-filters">
        <div class="form-row">
          <label for="laa-area">Area</label>
          <select id="laa-area" value={draft.area} onChange={(e) => set("area", e.currentTarget.value)}>
            <option value="">All areas</option>
            {areas.map((area) => (
              <option key={area} value={area}>
                {area}
              </option>
            ))}
          </select>
        </div>
        <div class="form-row">
          <label for="laa-period">Target period</label>
          <select id="laa-period" value={draft.period} onChange={(e) => set("period", e.currentTarget.value)}>
            <option value="">Latest with a value</option>
            {periods.map((period) => (
              <option key={period} value={period}>
                {periodLabel(period)}
              </option>
            ))}
          </select>
        </div>
        <div class="form-row">
          <label for="laa-partnership">Lead partnership</label>
          <select
            id="laa-partnership"
            value={draft.partnership_id}
            onChange={(e) => set("partnership_id", e.currentTarget.value)}
          >
            <option value="">All partnerships</option>
            {data.partnerships.map((p) => (
              <option key={p.partnership_id} value={String(p.partnership_id)}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Apply filters</button>
        {searchOf(filters) && (
          <a href={path} class="button-link button-secondary">
            Clear filters
          </a>
        )}
      </div>
      <Downloads filters={filters} />
    </form>
  );
}

const unitOf = (indicator: Indicator | undefined) => (indicator?.unit === "percent" ? "%" : "");
const show = (value: number | null | undefined, unit: string) => (value == null ? "—" : `${Number(value.toPrecision(6))}${unit}`);

function Values({ row, unit, measurements }: { row: ExportRow; unit: string; measurements: Measurement[] }) {
  return (
    <details class="values">
      <summary>Values as a table</summary>
      <table>
        <caption class="visually-hidden">{row.code} values by period</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col">Value</th>
            <th scope="col">Reported</th>
          </tr>
        </thead>
        <tbody>
          {[...measurements]
            .sort((a, b) => comparePeriods(a.period, b.period) || a.reported_on.localeCompare(b.reported_on))
            .map((m) => (
              <tr key={m.id}>
                <td>{periodLabel(m.period)}</td>
                <td>{show(m.value, unit)}</td>
                <td>{formatDate(m.reported_on)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </details>
  );
}

function IndicatorCard({ row, indicator, targets, measurements, onChanged }: {
  row: ExportRow;
  onChanged: () => void;
  indicator: Indicator | undefined;
  targets: LaaTarget[];
  measurements: Measurement[];
}) {
  const unit = unitOf(indicator);
  // The county reads indicators but not the plans: it has the outcome codes above instead.
  const showLinks = useAuth().can("admin", "officer");
  const latest = latestMeasurement(measurements, row);
  const points = measuredPoints(measurements);
  const trajectories = trajectorySegments(targets);
  const due = targetPoints(targets);
  const quarters = quarterAxis([...points, ...due, ...trajectories.flat()].map((p) => p.label));
  const headingId = `laa-${row.code.replace(/\W+/g, "-")}-${row.area}`;
  return (
    <section class="card laa-indicator" aria-labelledby={headingId} data-code={row.code}>
      <div class="laa-facts">
        <h2 id={headingId}>
          {row.code} {row.title}
        </h2>
        <p class="muted small">
          {row.area}
          {indicator ? ` · ${indicator.polarity === "higher_is_better" ? "higher is better" : "lower is better"}` : ""}
          {row.lead_partnership ? ` · led by ${row.lead_partnership}` : ""}
          {row.outcome_codes ? ` · outcome ${row.outcome_codes}` : ""}
        </p>
        <dl class="laa-figures">
          <div>
            <dt>Latest value</dt>
            <dd>
              {show(row.latest_value, unit)}
              <span class="small">
                {latest ? periodLabel(latest.period) : "none reported"}
                {row.reported_on ? `, reported ${formatDate(row.reported_on)}` : ""}
              </span>
            </dd>
          </div>
          <div>
            <dt>Target {periodLabel(row.period)}</dt>
            <dd>
              {show(row.target, unit)}
              <span class="small">from a baseline of {show(row.baseline, unit)}</span>
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              <LaaRagBadge rag={row.rag} />
              <span class="small">{LAA_RAG_MEANINGS[row.rag]}</span>
            </dd>
          </div>
        </dl>
        <Values row={row} unit={unit} measurements={measurements} />
        {indicator && showLinks && <IndicatorLinks indicator={indicator} area={row.area} onChanged={onChanged} />}
      </div>
      <TrendChart
        title={`${row.code} by quarter against the targets`}
        unit={unit}
        quarters={quarters}
        points={points}
        trajectories={trajectories}
        targets={due}
      />
    </section>
  );
}

const RAG_ORDER: LaaRag[] = ["red", "amber", "green", "no_data"];

function Indicators({ data, filters, onChanged }: { data: Data; filters: Filters; onChanged: () => void }) {
  const rows = filters.period ? data.rows : headlineRows(data.rows);
  if (rows.length === 0) return <p class="card">No LAA targets match these filters.</p>;
  const counts = countLaaRag(rows);
  return (
    <>
      <ul class="laa-summary" aria-label="Indicators by status">
        {RAG_ORDER.map((rag) => (
          <li key={rag}>
            <LaaRagBadge rag={rag} /> {counts[rag]}
          </li>
        ))}
      </ul>
      <div class="laa-indicators">
        {rows.map((row) => {
          const indicator = data.indicators.get(row.code);
          const mine = <T extends { indicator_id: number; area: string }>(items: T[]) =>
            items.filter((item) => item.indicator_id === indicator?.id && item.area === row.area);
          return (
            <IndicatorCard
              key={`${row.code}-${row.area}-${row.period}`}
              row={row}
              indicator={indicator}
              targets={mine(data.targets)}
              measurements={mine(data.measurements)}
              onChanged={onChanged}
            />
          );
        })}
      </div>
    </>
  );
}

/** The county's LAA dashboard (officers and admins use it too): latest value against target and
 * RAG per indicator, trend by quarter, filters in the address and the export to download. */
export function LaaPage() {
  useTitle("LAA dashboard");
  const { query } = useLocation();
  const { may } = useAuth();
  const filters = filtersFrom(query);
  const [resource, reload] = useResource(() => loadDashboard(filters), [filters.area, filters.period, filters.partnership_id]);
  return (
    <>
      <h1>LAA dashboard</h1>
      <p>
        Each Local Area Agreement indicator's latest value against its target, rated against the trajectory from the
        baseline to the target (quarter by quarter).
        {may("reports") && (
          <>
            {" "}
            See also the <a href="/reports">performance reports and strategy progress</a>.
          </>
        )}
      </p>
      <Loadable resource={resource} label="the LAA indicators" onRetry={reload}>
        {(data) => (
          <>
            <FilterForm filters={filters} data={data} />
            <Indicators data={data} filters={filters} onChanged={reload} />
          </>
        )}
      </Loadable>
    </>
  );
}
