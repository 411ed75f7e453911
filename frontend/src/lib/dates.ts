/** Dates as the partnership reads them: UK format, Europe/London wall-clock time. */
const ZONE = "Europe/London";

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: ZONE,
});
const longDateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** "2026-03-02" → "2 Mar 2026"; null → "—". */
export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : "—";
}

/** "2026-03-02" → "2 March 2026", as printed on the report form. */
export function formatLongDate(iso: string): string {
  return longDateFormat.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

/** Today's date in London as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(now);
}

/** A task is overdue when its deadline has passed and it is not complete. */
export function isOverdue(
  task: { deadline?: string | null; rag?: string | null },
  today: string,
): boolean {
  return !!task.deadline && task.deadline < today && task.rag !== "complete";
}
