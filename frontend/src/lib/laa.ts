import type { LaaTarget, Measurement } from "../api/types";

/** A point on a trend chart: `label` is a quarter ("2025-26-Q2"), see quarterOf. */
export type TrendPoint = { label: string; value: number };

/** RAG of an LAA target against its trajectory, as the export computes it. */
export type LaaRag = "green" | "amber" | "red" | "no_data";

/** One row of the LAA export (GET /api/v1/laa/export?format=json), one per target. */
export type ExportRow = {
  code: string;
  title: string;
  area: string;
  period: string;
  baseline: number;
  target: number;
  latest_value: number | null;
  reported_on: string | null;
  rag: LaaRag;
  outcome_codes: string;
  lead_partnership: string;
  stretch: number | null;
  updated_at: string;
};

const RAGS: readonly string[] = ["green", "amber", "red", "no_data"];
const YEAR = /^\d{4}-\d{2}$/;
const QUARTER = /^(\d{4}-\d{2})-Q([1-4])$/;

/** The export's JSON Lines, without tombstones; a line that is not a row is an error. */
export function parseExport(text: string): ExportRow[] {
  const rows: ExportRow[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as ExportRow & { deleted?: boolean };
    if (row.deleted) continue;
    if (typeof row.code !== "string" || typeof row.period !== "string" || !RAGS.includes(row.rag)) {
      throw new Error(`Not an LAA export row: ${line.slice(0, 80)}`);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Periods in time order: quarters ("2025-26-Q1") in sequence, and a whole year ("2025-26")
 * after its quarters, since a yearly target is due at the end of the year.
 */
export function comparePeriods(a: string, b: string): number {
  const key = (p: string) => (YEAR.test(p) ? `${p}-~` : p); // "~" sorts after "Q1".."Q4"
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

const byPeriod = <T extends { period: string }>(a: T, b: T) => comparePeriods(a.period, b.period);

/** The quarter a period ends in: a financial year ends in its Q4. */
export function quarterOf(period: string): string {
  return YEAR.test(period) ? `${period}-Q4` : period;
}

/** "2025-26-Q2" → "Q2 2025-26"; "2025-26" → "2025-26 (year)". */
export function periodLabel(period: string): string {
  const quarter = QUARTER.exec(period);
  if (quarter) return `Q${quarter[2]} ${quarter[1]}`;
  return YEAR.test(period) ? `${period} (year)` : period;
}

/** The financial year after "2025-26": "2026-27". */
function nextYear(year: string): string {
  const start = Number(year.slice(0, 4)) + 1;
  return `${start}-${String((start + 1) % 100).padStart(2, "0")}`;
}

/** Every quarter from the earliest to the latest of `periods`, none skipped: the x axis. */
export function quarterAxis(periods: readonly string[]): string[] {
  const quarters = periods.map(quarterOf).filter((p) => QUARTER.test(p)).sort(comparePeriods);
  const first = quarters[0];
  const last = quarters.at(-1);
  if (!first || !last) return [];
  const match = QUARTER.exec(first)!;
  let year = match[1]!;
  let q = Number(match[2]);
  const axis: string[] = [];
  for (;;) {
    const key = `${year}-Q${q}`;
    axis.push(key);
    if (key === last || axis.length >= 400) return axis;
    [year, q] = q === 4 ? [nextYear(year), 1] : [year, q + 1];
  }
}

/** The latest value reported per period, placed on the quarter the period ends in. */
export function measuredPoints(measurements: readonly Measurement[]): TrendPoint[] {
  const latest = new Map<string, Measurement>();
  for (const m of measurements) {
    const slot = quarterOf(m.period);
    const seen = latest.get(slot);
    if (!seen || m.reported_on > seen.reported_on || (m.reported_on === seen.reported_on && m.id > seen.id)) {
      latest.set(slot, m);
    }
  }
  return [...latest.entries()]
    .sort(([a], [b]) => comparePeriods(a, b))
    .map(([slot, m]) => ({ label: slot, value: m.value }));
}

/**
 * Where each target says the indicator should be: for a financial-year target, a quarter of the
 * way from the baseline to the target at Q1, half at Q2, and so on to the target at Q4 (the
 * points the RAG compares with); for a quarter's target, the target at that quarter.
 */
export function trajectorySegments(targets: readonly LaaTarget[]): TrendPoint[][] {
  return [...targets].sort(byPeriod).flatMap((t) => {
    if (t.target == null) return [];
    if (!YEAR.test(t.period)) return [[{ label: quarterOf(t.period), value: t.target }]];
    const from = t.baseline ?? t.target;
    return [[1, 2, 3, 4].map((n) => ({ label: `${t.period}-Q${n}`, value: from + ((t.target - from) * n) / 4 }))];
  });
}

/** The target of each target period, on the quarter it is due. */
export function targetPoints(targets: readonly LaaTarget[]): TrendPoint[] {
  return [...targets]
    .sort(byPeriod)
    .filter((t) => t.target != null)
    .map((t) => ({ label: quarterOf(t.period), value: t.target }));
}

/**
 * The row to headline per indicator and area: the filtered period's, or else the latest period
 * that has a value (else the latest period). Keeps the export's order (catalogue order).
 */
export function headlineRows(rows: readonly ExportRow[]): ExportRow[] {
  const chosen = new Map<string, ExportRow>();
  for (const row of rows) {
    const key = `${row.code}\u0000${row.area}`;
    const seen = chosen.get(key);
    const better =
      !seen ||
      (row.latest_value !== null && seen.latest_value === null) ||
      ((row.latest_value !== null) === (seen.latest_value !== null) && comparePeriods(row.period, seen.period) > 0);
    if (better) chosen.set(key, row);
  }
  const keep = new Set(chosen.values());
  return rows.filter((row) => keep.has(row));
}

/** The measurement behind a row's latest value: same area, inside the target's period. */
export function latestMeasurement(measurements: readonly Measurement[], row: ExportRow): Measurement | null {
  let best: Measurement | null = null;
  for (const m of measurements) {
    if (m.area !== row.area || !m.period.startsWith(row.period)) continue;
    if (!best || m.reported_on > best.reported_on || (m.reported_on === best.reported_on && m.id > best.id)) best = m;
  }
  return best;
}

/** Counts of headline rows per RAG, for the summary line. */
export function countLaaRag(rows: readonly ExportRow[]): Record<LaaRag, number> {
  const counts: Record<LaaRag, number> = { green: 0, amber: 0, red: 0, no_data: 0 };
  for (const row of rows) counts[row.rag] += 1;
  return counts;
}
