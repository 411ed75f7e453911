/** Agenda building: the standard opening, moving items, papers' sizes. */

/** What the handbook puts at the start of every ordinary meeting. */
export const STANDARD_OPENING: readonly string[] = [
  "Apologies",
  "Minutes of the last meeting",
  "Performance report",
  "Any other business",
];

/** `ids` with the item at `index` moved by `delta` places (clamped to the ends). */
export function moved<T>(ids: readonly T[], index: number, delta: number): T[] {
  const target = Math.max(0, Math.min(ids.length - 1, index + delta));
  const out = [...ids];
  const [item] = out.splice(index, 1);
  if (item === undefined) return out;
  out.splice(target, 0, item);
  return out;
}

/** `ids` with the item at `from` dropped at the place of the item at `to`. */
export function dropped<T>(ids: readonly T[], from: number, to: number): T[] {
  return moved(ids, from, to - from);
}

/** The file types a paper may be, for the file picker (the server checks the bytes). */
export const PAPER_ACCEPT = ".pdf,.docx,.xlsx,.odt,.png,.jpg,.jpeg";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** "1 hour 25 minutes" for an agenda's total time. */
export function formatMinutes(total: number): string {
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const parts = [];
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (minutes || !hours) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  return parts.join(" ");
}
