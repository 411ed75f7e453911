import type { Organisation, Rag, Task } from "../api/types";
import { RAG_LABELS } from "./rag";

// -- filters, kept in the address so a filtered view can be shared -------------------------------

export type PlanFilters = {
  rag: string; // a Rag, "not_rated" or ""
  lead: string; // an organisation id or ""
  overdue: boolean;
  stale: boolean;
  from: string; // deadline on or after (ISO date) or ""
  to: string; // deadline on or before (ISO date) or ""
};

export const NO_FILTERS: PlanFilters = { rag: "", lead: "", overdue: false, stale: false, from: "", to: "" };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RAGS = new Set(["green", "amber", "red", "complete", "not_rated"]);

/** Reads the filters from the address's query; anything malformed is ignored. */
export function filtersFrom(query: Record<string, string | undefined>): PlanFilters {
  const date = (value: string | undefined) => (value && ISO_DATE.test(value) ? value : "");
  return {
    rag: query.rag && RAGS.has(query.rag) ? query.rag : "",
    lead: query.lead && /^\d{1,10}$/.test(query.lead) ? query.lead : "",
    overdue: query.overdue === "1",
    stale: query.stale === "1",
    from: date(query.from),
    to: date(query.to),
  };
}

/** The query string for the address (empty when nothing is filtered). */
export function searchOf(filters: PlanFilters): string {
  const params = new URLSearchParams();
  if (filters.rag) params.set("rag", filters.rag);
  if (filters.lead) params.set("lead", filters.lead);
  if (filters.overdue) params.set("overdue", "1");
  if (filters.stale) params.set("stale", "1");
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function isFiltered(filters: PlanFilters): boolean {
  return searchOf(filters) !== "";
}

export type TaskQuery = {
  rag?: Rag;
  not_rated?: boolean;
  lead_organisation_id?: number;
  overdue?: boolean;
  stale?: boolean;
  deadline_after?: string;
  deadline_before?: string;
};

/** The filters as `GET /tasks` parameters: the API filters, so the table is what it says. */
export function taskQuery(filters: PlanFilters): TaskQuery {
  const query: TaskQuery = {};
  if (filters.rag === "not_rated") query.not_rated = true;
  else if (filters.rag) query.rag = filters.rag as Rag;
  if (filters.lead) query.lead_organisation_id = Number(filters.lead);
  if (filters.overdue) query.overdue = true;
  if (filters.stale) query.stale = true;
  if (filters.from) query.deadline_after = filters.from;
  if (filters.to) query.deadline_before = filters.to;
  return query;
}

// -- the table as CSV --------------------------------------------------------------------------

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (as the API's exports). */
function escapeCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const line = (cells: readonly (string | number | null | undefined)[]) =>
    cells.map((cell) => escapeCell(cell == null ? "" : String(cell))).join(",");
  return `\ufeff${[header, ...rows].map(line).join("\r\n")}\r\n`;
}

export const TASK_CSV_HEADER = [
  "code",
  "title",
  "target",
  "position",
  "rag",
  "planned_improvement",
  "deadline",
  "lead_organisation",
  "owner",
  "last_reported_on",
] as const;

/** One row per task, in the order shown. `code` is the action ref plus the task ref. */
export function taskCsv(
  rows: readonly { code: string; task: Task }[],
  organisations: Map<number, Organisation>,
): string {
  return toCsv(
    TASK_CSV_HEADER,
    rows.map(({ code, task }) => [
      code,
      task.title,
      task.target,
      task.position,
      task.rag ? RAG_LABELS[task.rag] : RAG_LABELS.not_rated,
      task.planned_improvement,
      task.deadline,
      task.lead_organisation_id ? organisations.get(task.lead_organisation_id)?.name ?? "" : "",
      task.owner_name,
      task.last_reported_on,
    ]),
  );
}

/** Only the fields the user changed since opening the form: a change someone else saved
 * meanwhile to another field survives a reload-and-retry. */
export function changedFields<T extends Record<string, unknown>>(opened: Partial<T> | undefined, body: T): Partial<T> {
  if (!opened) return body;
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => opened[key] !== value)) as Partial<T>;
}

/** The number a new principle or priority takes: one past the highest, so it goes last. */
export function nextPosition(lines: { position: number }[]): number {
  return lines.reduce((high, line) => Math.max(high, line.position), 0) + 1;
}
