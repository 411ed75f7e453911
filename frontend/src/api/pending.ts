/**
 * The contract for endpoints that are specified (DESIGN §4–§6) but not yet in
 * openapi/openapi.json. Written in openapi-typescript's shape so the client treats them
 * like generated paths. `Paths` in ./client.ts lets a generated path replace its pending
 * entry automatically; delete an entry here once `npm run gen:api` has picked it up.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];
type Headers = { [name: string]: unknown };
type Json<T> = { headers: Headers; content: { "application/json": T } };
type Empty = { headers: Headers; content?: never };
type Params<Path = never, Query = never, Header = never> = {
  query?: Query;
  header?: Header;
  path: Path;
  cookie?: never;
};
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type Get<P, Ok> = { parameters: P; requestBody?: never; responses: { 200: Json<Ok> } };
type Post<P, Body, Ok, Status extends number = 200> = {
  parameters: P;
  requestBody: { content: Body };
  responses: { [S in Status]: Ok extends undefined ? Empty : Json<Ok> };
};
type PathItem<Ops> = {
  parameters: NoParams;
  put?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
} & Ops;
type Page<T> = { items: T[]; total: number; limit: number; offset: number };
type ListQuery = { limit?: number; offset?: number; sort?: string };
type Rag = Schemas["Rag"];
type Role = "admin" | "officer" | "member" | "partner" | "county";

export type AccessToken = { access_token: string; token_type: "bearer"; expires_at: string };
export type Credentials = { email: string; password: string };

export type MeMembership = {
  id: number;
  partnership_id: number;
  partnership_name: string;
  role: Schemas["MembershipRole"];
};
export type MeRead = {
  kind: "user" | "api_key";
  id: number;
  name: string;
  email: string | null;
  role: Role;
  organisation_id: number | null;
  person_id: number | null;
  memberships: MeMembership[];
};

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
export type GovernanceFinding = {
  check: string;
  message: string;
  partnership_id: number;
  partnership_name: string;
  membership_id: number | null;
};
export type DashboardRead = {
  as_of: string;
  rag_by_outcome: DashboardOutcome[];
  overdue_tasks: DashboardTask[];
  stale_tasks: DashboardTask[];
  next_meetings: DashboardMeeting[];
  governance: GovernanceFinding[];
};
export type GovernanceRead = { partnership_id: number; checked_on: string; findings: GovernanceFinding[] };

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
export type PerformanceReport = {
  partnership_id: number;
  partnership_name: string;
  as_of: string;
  outcomes: ReportOutcome[];
};

export type AttendanceStatus = "present" | "apologies" | "absent" | "substitute";
export type AttendanceRead = {
  id: number;
  meeting_id: number;
  membership_id: number;
  status: AttendanceStatus;
  substitute_person_id: number | null;
  note: string | null;
  version: number;
};
export type AttendanceWrite = {
  membership_id: number;
  status: AttendanceStatus;
  substitute_person_id?: number | null;
  note?: string | null;
};

export type DecisionMethod = "consensus" | "simple_majority" | "two_thirds";
export type DecisionWrite = {
  agenda_item_id?: number | null;
  text: string;
  method: DecisionMethod;
  votes_for: number;
  votes_against: number;
  votes_abstain: number;
  chair_casting_vote?: "for" | "against" | null;
};
export type DecisionRead = Required<DecisionWrite> & {
  id: number;
  meeting_id: number;
  result: "carried" | "lost";
  version: number;
};

export type LaaTargetRead = {
  id: number;
  indicator_id: number;
  area: string;
  period: string;
  baseline: number | null;
  target: number | null;
  stretch: number | null;
};
export type MeasurementRead = {
  id: number;
  indicator_id: number;
  area: string;
  period: string;
  value: number;
  reported_on: string;
  source: string | null;
  note: string | null;
};

export type ImportKind =
  | "tasks"
  | "organisations"
  | "people"
  | "meetings"
  | "indicators"
  | "laa-targets"
  | "measurements";
export type ImportRowError = { row: number; column: string | null; value: string | null; message: string };
export type ImportDiffRow = {
  row: number;
  action: "create" | "update" | "unchanged";
  key: string;
  changes: Record<string, [unknown, unknown]>;
};
export type ImportResult = {
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
  diff: ImportDiffRow[];
};

type Id<Name extends string> = { [K in Name]: number };
type AsOf = { as_of?: string };

export interface PendingPaths {
  "/api/v1/auth/token": PathItem<{
    get?: never;
    post: Post<NoParams, { "application/json": Credentials }, AccessToken>;
  }>;
  "/api/v1/auth/logout": PathItem<{ get?: never; post: Post<NoParams, never, undefined, 204> }>;
  "/api/v1/me": PathItem<{ get: Get<NoParams, MeRead>; post?: never }>;
  "/api/v1/dashboard": PathItem<{ get: Get<NoParams, DashboardRead>; post?: never }>;
  "/api/v1/partnerships/{partnership_id}/performance-report": PathItem<{
    get: Get<Params<Id<"partnership_id">, AsOf>, PerformanceReport>;
    post?: never;
  }>;
  "/api/v1/partnerships/{partnership_id}/governance": PathItem<{
    get: Get<Params<Id<"partnership_id">>, GovernanceRead>;
    post?: never;
  }>;
  "/api/v1/meetings/{meeting_id}/attendance": PathItem<{
    get: Get<Params<Id<"meeting_id">, ListQuery>, Page<AttendanceRead>>;
    post: Post<Params<Id<"meeting_id">>, { "application/json": AttendanceWrite }, AttendanceRead>;
  }>;
  "/api/v1/meetings/{meeting_id}/decisions": PathItem<{
    get: Get<Params<Id<"meeting_id">, ListQuery>, Page<DecisionRead>>;
    post: Post<Params<Id<"meeting_id">>, { "application/json": DecisionWrite }, DecisionRead, 201>;
  }>;
  "/api/v1/laa-targets": PathItem<{
    get: Get<Params<never, ListQuery & { indicator_id?: number; area?: string }>, Page<LaaTargetRead>>;
    post?: never;
  }>;
  "/api/v1/measurements": PathItem<{
    get: Get<
      Params<never, ListQuery & { indicator_id?: number; area?: string }>,
      Page<MeasurementRead>
    >;
    post?: never;
  }>;
  "/api/v1/imports/{kind}": PathItem<{
    get?: never;
    post: Post<
      Params<{ kind: ImportKind }, { dry_run?: boolean }>,
      { "multipart/form-data": FormData },
      ImportResult
    >;
  }>;
}
