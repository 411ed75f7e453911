/** Friendly names for the API's shapes, derived from the client's paths. */
import type { Paths } from "./client";
import type { components } from "./schema";

type Schemas = components["schemas"];
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type OkOf<Op> = Op extends { responses: infer R } ? JsonOf<R[Extract<keyof R, 200 | 201>]> : never;
type Response<P extends keyof Paths> = OkOf<Paths[P]["get"]>;

export type Rag = Schemas["Rag"];
export type Role = Schemas["Role"];
export type Me = Schemas["MeRead"];
export type Organisation = Schemas["OrganisationRead"];
export type Person = Schemas["PersonRead"];
export type Partnership = Schemas["PartnershipRead"];
export type Membership = Schemas["MembershipRead"];
export type MembershipRole = Schemas["MembershipRole"];
export type Meeting = Schemas["MeetingRead"];
export type AgendaItem = Schemas["AgendaItemRead"];
export type Attendance = Schemas["AttendanceRead"];
export type AttendanceStatus = Schemas["AttendanceStatus"];
export type Decision = Schemas["DecisionRead"];
export type DecisionWrite = Schemas["DecisionCreate"];
export type DecisionMethod = Schemas["DecisionMethod"];
export type GovernanceFinding = Schemas["Finding"];
export type Outcome = Schemas["OutcomeRead"];
export type ActionPlan = Schemas["ActionPlanRead"];
export type Action = Schemas["ActionRead"];
export type Task = Schemas["TaskRead"];
export type StatusUpdate = Schemas["StatusUpdateRead"];
export type Indicator = Schemas["IndicatorRead"];
export type LaaTarget = Schemas["LaaTargetRead"];
export type Measurement = Schemas["MeasurementRead"];
export type ImportKind = Schemas["ImportKindRead"];
export type ImportResult = Schemas["ImportResult"];
export type ImportChange = Schemas["ImportChange"];
/** One bad cell of a rejected import, as listed in the 422 problem's `errors`. */
export type ImportRowError = { row: number; column: string | null; value: string | null; message: string };

export type Dashboard = Response<"/api/v1/dashboard">;
export type DashboardTask = Dashboard["overdue_tasks"][number];
export type DashboardMeeting = Dashboard["next_meetings"][number];
export type PerformanceReport = Response<"/api/v1/partnerships/{partnership_id}/performance-report">;
export type ReportOutcome = PerformanceReport["outcomes"][number];
export type RagCounts = ReportOutcome["summary"];
