import type { LaaTarget, Measurement } from "../api/types";
import type { TrendPoint } from "../components/TrendChart";

const YEAR = /^\d{4}-\d{2}$/;

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

/** The latest value reported per period, oldest period first. */
export function measuredPoints(measurements: readonly Measurement[]): TrendPoint[] {
  const latest = new Map<string, Measurement>();
  for (const m of measurements) {
    const seen = latest.get(m.period);
    if (!seen || m.reported_on >= seen.reported_on) latest.set(m.period, m);
  }
  return [...latest.values()].sort(byPeriod).map((m) => ({ label: m.period, value: m.value }));
}

/**
 * The line the indicator should follow: from the baseline (at the first measured period, or the
 * first target's period) through each period's target.
 */
export function trajectoryPoints(targets: readonly LaaTarget[], measured: readonly TrendPoint[]): TrendPoint[] {
  const sorted = [...targets].sort(byPeriod);
  const first = sorted[0];
  if (!first) return [];
  const points: TrendPoint[] = [];
  if (first.baseline != null) {
    const start = measured[0] && comparePeriods(measured[0].label, first.period) < 0 ? measured[0].label : first.period;
    points.push({ label: start, value: first.baseline });
  }
  for (const t of sorted) {
    if (t.target == null) continue;
    if (points.at(-1)?.label === t.period) points.pop();
    points.push({ label: t.period, value: t.target });
  }
  return points;
}

/** Every period on either line, in time order: the chart's x axis. */
export function periodAxis(...series: readonly TrendPoint[][]): string[] {
  return [...new Set(series.flat().map((p) => p.label))].sort(comparePeriods);
}
