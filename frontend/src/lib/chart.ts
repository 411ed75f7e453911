/** Geometry for the inline SVG charts: plain numbers in, coordinates out. */

export type Segment<K extends string> = { key: K; value: number; x: number; width: number };

/** Lays counts end to end across `width`, skipping zeros. */
export function stackSegments<K extends string>(
  keys: readonly K[],
  values: Record<K, number>,
  width: number,
): Segment<K>[] {
  const total = keys.reduce((sum, key) => sum + values[key], 0);
  if (total === 0) return [];
  let x = 0;
  return keys
    .filter((key) => values[key] > 0)
    .map((key) => {
      const segment = { key, value: values[key], x, width: (values[key] / total) * width };
      x += segment.width;
      return segment;
    });
}

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a flat domain maps to the middle of the range. */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  if (d0 === d1) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** The smallest and largest of the values, padded by 10 % so points sit inside the frame. */
export function paddedExtent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = (max - min) * 0.1 || Math.abs(max) * 0.1 || 1;
  return [min - pad, max + pad];
}

export function polyline(points: readonly [number, number][]): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
}

/** About `count` round values spanning [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(count - 1, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}
