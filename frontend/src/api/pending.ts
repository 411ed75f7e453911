/**
 * The contract for endpoints that are specified (DESIGN §4–§6) but not yet in
 * openapi/openapi.json. Written in openapi-typescript's shape so the client treats them
 * like generated paths. `Paths` in ./client.ts lets a generated path replace its pending
 * entry automatically; delete an entry here once `npm run gen:api` has picked it up.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];
type Rag = Schemas["Rag"];
type Headers = { [name: string]: unknown };
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type Get<Params, Ok> = {
  parameters: Params;
  requestBody?: never;
  responses: { 200: { headers: Headers; content: { "application/json": Ok } } };
};
type PathItem<Ops> = {
  parameters: NoParams;
  post?: never;
  put?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
} & Ops;

export type RagCounts = {
  green: number;
  amber: number;
  red: number;
  complete: number;
  not_rated: number;
  total: number;
};

export type DashboardTask = {
  id: number;
  ref: string;
  title: string;
  rag: Rag | null;
  deadline: string | null;
  last_reported_on: string | null;
  partnership_id: number;
  partnership_name: string;
  outcome_code: string;
  action_ref: string;
};
export type DashboardOutcome = RagCounts & {
  outcome_id: number;
  code: string;
  title: string;
  partnership_id: number;
};
export type DashboardMeeting = {
  id: number;
  title: string;
  starts_at: string;
  location: string | null;
  partnership_id: number;
  partnership_name: string;
};
/** GET /api/v1/dashboard: the signed-in user's partnerships at a glance. */
export type DashboardRead = {
  as_of: string;
  rag_by_outcome: DashboardOutcome[];
  overdue_tasks: DashboardTask[];
  stale_tasks: DashboardTask[];
  next_meetings: DashboardMeeting[];
};

export type ReportTask = {
  ref: string;
  title: string;
  target: string | null;
  position: string | null;
  rag: Rag | null;
  planned_improvement: string | null;
  deadline: string | null;
  lead_organisation: string | null;
};
export type ReportAction = { ref: string; title: string; tasks: ReportTask[] };
export type ReportOutcome = {
  code: string;
  title: string;
  contact: string | null;
  actions: ReportAction[];
  summary: RagCounts;
};
/** GET /api/v1/partnerships/{id}/performance-report?as_of= (DESIGN §6). */
export type PerformanceReport = {
  partnership_id: number;
  partnership_name: string;
  as_of: string;
  outcomes: ReportOutcome[];
};

export interface PendingPaths {
  "/api/v1/dashboard": PathItem<{ get: Get<NoParams, DashboardRead> }>;
  "/api/v1/partnerships/{partnership_id}/performance-report": PathItem<{
    get: Get<
      { query?: { as_of?: string }; header?: never; path: { partnership_id: number }; cookie?: never },
      PerformanceReport
    >;
  }>;
}
