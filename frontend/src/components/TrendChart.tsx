import { linearScale, niceTicks, paddedExtent, polyline } from "../lib/chart";
import { periodLabel, type TrendPoint } from "../lib/laa";
import "../styles/laa.css";

type Props = {
  title: string;
  unit: string;
  /** The x axis: consecutive quarters ("2025-26-Q1"), see lib/laa quarterAxis. */
  quarters: string[];
  points: TrendPoint[];
  /** Where the targets say the indicator should be, quarter by quarter (one line per target). */
  trajectories: TrendPoint[][];
  /** Each target on the quarter it is due. */
  targets: TrendPoint[];
};

const W = 640;
const H = 280;
const PAD = { top: 16, right: 20, bottom: 52, left: 56 };

const QUARTER = /^(\d{4}-\d{2})-Q([1-4])$/;

/** The years on the axis with the first and last quarter index each spans. */
function yearSpans(quarters: string[]): { year: string; from: number; to: number }[] {
  const spans: { year: string; from: number; to: number }[] = [];
  quarters.forEach((quarter, i) => {
    const year = QUARTER.exec(quarter)?.[1] ?? quarter;
    const last = spans.at(-1);
    if (last && last.year === year) last.to = i;
    else spans.push({ year, from: i, to: i });
  });
  return spans;
}

const show = (value: number) => String(Number(value.toPrecision(4)));

/**
 * Measured values against the LAA targets by quarter, as inline SVG: quarters labelled Q1–Q4
 * with their financial year beneath, the trajectory to each target dashed, each target a
 * diamond. The figure's text alternative lists the values.
 */
export function TrendChart({ title, unit, quarters, points, trajectories, targets }: Props) {
  const slots = Math.max(quarters.length, 1);
  const band = (W - PAD.left - PAD.right) / slots;
  const x = (label: string) => PAD.left + band * (quarters.indexOf(label) + 0.5);
  const values = [...points, ...targets, ...trajectories.flat()].map((p) => p.value);
  const extent = paddedExtent(values);
  const y = linearScale(extent, [H - PAD.bottom, PAD.top]);
  const at = (p: TrendPoint): [number, number] => [x(p.label), y(p.value)];
  const ticks = niceTicks(extent[0], extent[1], 5);
  const everyQuarter = quarters.length <= 16;
  const summary = [
    points.length ? points.map((p) => `${periodLabel(p.label)}: ${show(p.value)}${unit}`).join("; ") : "No measurements",
    ...targets.map((t) => `target ${show(t.value)}${unit} by ${periodLabel(t.label)}`),
  ].join("; ");

  return (
    <figure class="trend-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${summary}`}>
        {ticks.map((v) => (
          <g key={v}>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text class="tick" x={PAD.left - 8} y={y(v)} text-anchor="end" dominant-baseline="middle">
              {show(v)}
              {unit}
            </text>
          </g>
        ))}
        <line class="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        {quarters.map((quarter) => {
          const q = QUARTER.exec(quarter)?.[2];
          return everyQuarter || q === "1" ? (
            <text key={quarter} class="tick" x={x(quarter)} y={H - PAD.bottom + 18} text-anchor="middle">
              Q{q}
            </text>
          ) : null;
        })}
        {yearSpans(quarters).map(({ year, from, to }) => {
          const left = PAD.left + band * from;
          const right = PAD.left + band * (to + 1);
          return (
            <g key={year}>
              <line class="year-divider" x1={left} x2={left} y1={H - PAD.bottom} y2={H - 8} />
              <text class="year-label" x={(left + right) / 2} y={H - 12} text-anchor="middle">
                {year}
              </text>
            </g>
          );
        })}
        {trajectories.map((segment) =>
          segment.length > 1 ? (
            <polyline key={segment[0]!.label} class="trajectory" points={polyline(segment.map(at))} />
          ) : null,
        )}
        {points.length > 1 && <polyline class="actual" points={polyline(points.map(at))} />}
        {points.map((p) => {
          const [cx, cy] = at(p);
          return <circle key={p.label} class="actual-point" cx={cx} cy={cy} r={5} />;
        })}
        {targets.map((t) => {
          const [cx, cy] = at(t);
          return (
            <polygon
              key={t.label}
              class="target-point"
              points={`${cx},${cy - 8} ${cx + 8},${cy} ${cx},${cy + 8} ${cx - 8},${cy}`}
            />
          );
        })}
      </svg>
      <p class="trend-legend">
        <span class="legend-actual">● Measured</span> <span class="legend-trajectory">- - - Trajectory to target</span>{" "}
        <span class="legend-target">◆ Target</span>
      </p>
    </figure>
  );
}
