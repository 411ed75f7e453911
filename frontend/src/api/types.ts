/** Friendly names for the API's shapes, derived from the client's paths. */
import type { Paths } from "./client";
import type { components } from "./schema";

type Schemas = components["schemas"];
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type OkOf<Op> = Op extends { responses: infer R }
  ? JsonOf<R[Extract<keyof R, 200 | 201>]>
  : never;
type BodyOf<Op> = Op extends { requestBody: { content: { "application/json": infer B } } } ? B : never;

export type Response<P extends keyof Paths, M extends keyof Paths[P] = "get" & keyof Paths[P]> = OkOf<
  Paths[P][M]
>;
export type Body<P extends keyof Paths, M extends keyof Paths[P]> = BodyOf<Paths[P][M]>;
type Item<P extends keyof Paths> = Response<P> extends { items: (infer T)[] } ? T : never;

export type Rag = Schemas["Rag"];
export type Organisation = Schemas["OrganisationRead"];
export type Person = Schemas["PersonRead"];
export type Partnership = Schemas["PartnershipRead"];
export type Membership = Schemas["MembershipRead"];
export type MembershipRole = Schemas["MembershipRole"];
export type Meeting = Schemas["MeetingRead"];
export type AgendaItem = Schemas["AgendaItemRead"];
export type Outcome = Schemas["OutcomeRead"];
export type ActionPlan = Schemas["ActionPlanRead"];
export type Action = Schemas["ActionRead"];
export type Task = Schemas["TaskRead"];
export type TaskUpdate = Schemas["TaskUpdate"];
export type StatusUpdate = Schemas["StatusUpdateRead"];
export type Indicator = Schemas["IndicatorRead"];

export type AccessToken = Response<"/api/v1/auth/token", "post">;
export type Me = Response<"/api/v1/me">;
export type Role = Me["role"];
export type Dashboard = Response<"/api/v1/dashboard">;
export type DashboardTask = Dashboard["overdue_tasks"][number];
export type DashboardOutcome = Dashboard["rag_by_outcome"][number];
export type GovernanceFinding = Dashboard["governance"][number];
export type Governance = Response<"/api/v1/partnerships/{partnership_id}/governance">;
export type PerformanceReport = Response<"/api/v1/partnerships/{partnership_id}/performance-report">;
export type ReportOutcome = PerformanceReport["outcomes"][number];
export type RagCounts = ReportOutcome["summary"];
export type Attendance = Item<"/api/v1/meetings/{meeting_id}/attendance">;
export type AttendanceStatus = Attendance["status"];
export type Decision = Item<"/api/v1/meetings/{meeting_id}/decisions">;
export type DecisionWrite = Body<"/api/v1/meetings/{meeting_id}/decisions", "post">;
export type LaaTarget = Item<"/api/v1/laa-targets">;
export type Measurement = Item<"/api/v1/measurements">;
export type ImportResult = Response<"/api/v1/imports/{kind}", "post">;
export type ImportRowError = ImportResult["errors"][number];
export type ImportDiffRow = ImportResult["diff"][number];
