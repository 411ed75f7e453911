import { formatDate } from "./dates";

/** The audit viewer's filters (kept in the address, so a view can be bookmarked and shared)
 * and the before/after comparison of one event. */

export const AUDIT_PAGE_SIZE = 20;

export type AuditFilters = {
  resource: string;
  resource_id: string;
  principal: string;
  action: string;
  /** London dates, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  page: number;
};

const TEXT_KEYS = ["resource", "resource_id", "principal", "action", "from", "to"] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const NO_FILTERS: AuditFilters = {
  resource: "",
  resource_id: "",
  principal: "",
  action: "",
  from: "",
  to: "",
  page: 1,
};

/** The filters in an address's query (unknown keys and malformed dates are ignored). */
export function filtersFromQuery(query: Record<string, string | undefined>): AuditFilters {
  const filters: AuditFilters = { ...NO_FILTERS };
  for (const key of TEXT_KEYS) filters[key] = (query[key] ?? "").trim();
  for (const key of ["from", "to"] as const) if (!DATE.test(filters[key])) filters[key] = "";
  const page = Number(query.page);
  filters.page = Number.isInteger(page) && page > 1 ? page : 1;
  return filters;
}

/** "/audit?resource=task&resource_id=3": only the filters that are set, page 1 left out. */
export function auditHref(filters: Partial<AuditFilters>): string {
  const params = new URLSearchParams();
  for (const key of TEXT_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  if (filters.page && filters.page > 1) params.set("page", String(filters.page));
  const query = params.toString();
  return query ? `/audit?${query}` : "/audit";
}

export type AuditQuery = {
  limit: number;
  offset: number;
  resource?: string;
  resource_id?: string;
  principal?: string;
  action?: string;
  at_after?: string;
  at_before?: string;
};

/** The `/audit-events` query for the filters: London days become UTC instants. */
export function auditQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = { limit: AUDIT_PAGE_SIZE, offset: (filters.page - 1) * AUDIT_PAGE_SIZE };
  if (filters.resource) query.resource = filters.resource;
  if (filters.resource_id) query.resource_id = filters.resource_id;
  if (filters.principal) query.principal = filters.principal;
  if (filters.action) query.action = filters.action;
  if (filters.from) query.at_after = londonMidnight(filters.from);
  if (filters.to) query.at_before = new Date(Date.parse(londonMidnight(nextDay(filters.to))) - 1).toISOString();
  return query;
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

const londonClock = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** The instant (ISO, UTC) at which `day` starts in London, summer time or not. */
export function londonMidnight(day: string): string {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const parts = londonClock.formatToParts(new Date(guess));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"));
  return new Date(guess - (wall - guess)).toISOString();
}

export type FieldChange = { field: string; before: unknown; after: unknown };

/** Columns every record has, whose change says little: shown after the others. */
const BOOKKEEPING = new Set(["updated_at", "version"]);

/**
 * The fields an event changed: for an update those whose value differs, for a create every
 * field it set, for a delete every field the record had; bookkeeping fields last.
 */
export function changedFields(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): FieldChange[] {
  const old = before ?? {};
  const now = after ?? {};
  const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  const changes = fields
    .filter((field) => JSON.stringify(old[field] ?? null) !== JSON.stringify(now[field] ?? null))
    .map((field) => ({ field, before: old[field] ?? null, after: now[field] ?? null }));
  const rank = (change: FieldChange) => (BOOKKEEPING.has(change.field) ? 1 : 0);
  return changes.sort((a, b) => rank(a) - rank(b));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const instantFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "Europe/London",
});

/** A recorded value as text: empty for null, dates and times as people read them (London, to
 * the second), JSON for lists and objects. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" && ISO_DATE.test(value)) return formatDate(value);
  if (typeof value === "string" && ISO_INSTANT.test(value)) return instantFormat.format(new Date(value));
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}
