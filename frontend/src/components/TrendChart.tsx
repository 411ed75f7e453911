import { linearScale, paddedExtent, polyline } from "../lib/chart";

export type TrendPoint = { label: string; value: number };

type Props = {
  title: string;
  unit: string;
  /** The x axis: every period, in time order. */
  periods: string[];
  points: TrendPoint[];
  /** The trajectory: from the baseline to the target over the target's periods. */
  trajectory: TrendPoint[];
};

const W = 480;
const H = 200;
const PAD = { top: 12, right: 24, bottom: 28, left: 48 };
const MAX_TICKS = 5;

/** Measurements against the LAA trajectory, as inline SVG with a text description. */
export function TrendChart({ title, unit, periods, points, trajectory }: Props) {
  const x = linearScale([0, Math.max(periods.length - 1, 1)], [PAD.left, W - PAD.right]);
  const every = Math.ceil(periods.length / MAX_TICKS);
  const extent = paddedExtent([...points, ...trajectory].map((p) => p.value));
  const y = linearScale(extent, [H - PAD.bottom, PAD.top]);
  const at = (p: TrendPoint): [number, number] => [x(periods.indexOf(p.label)), y(p.value)];
  const summary = points.map((p) => `${p.label}: ${p.value}${unit}`).join("; ");

  return (
    <figure class="trend-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${summary || "No measurements"}`}>
        <line class="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        {extent.map((v) => (
          <text key={v} class="tick" x={PAD.left - 6} y={y(v)} text-anchor="end" dominant-baseline="middle">
            {Number(v.toPrecision(3))}
          </text>
        ))}
        {periods.map((period, i) =>
          i % every === 0 ? (
            <text key={period} class="tick" x={x(i)} y={H - 8} text-anchor="middle">
              {period}
            </text>
          ) : null,
        )}
        {trajectory.length > 1 && (
          <polyline class="trajectory" points={polyline(trajectory.map(at))} />
        )}
        {points.length > 1 && <polyline class="actual" points={polyline(points.map(at))} />}
        {points.map((p) => {
          const [cx, cy] = at(p);
          return <circle key={p.label} class="actual-point" cx={cx} cy={cy} r={4} />;
        })}
      </svg>
      <p class="trend-legend">
        <span class="legend-actual">● Measured</span> <span class="legend-trajectory">- - Trajectory to target</span>
      </p>
    </figure>
  );
}
