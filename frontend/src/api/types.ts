/** Friendly names for the API's shapes (generated into ./schema.d.ts from openapi.json). */
import type { components } from "./schema";

type Schemas = components["schemas"];

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

export type Dashboard = Schemas["Dashboard"];
export type MyPartnership = Schemas["MyPartnership"];
export type DashboardTask = Schemas["TaskBrief"];
export type DashboardMeeting = Schemas["MeetingBrief"];
export type PerformanceReport = Schemas["PerformanceReport"];
export type ReportOutcome = Schemas["OutcomeSection"];
export type ApiKey = Schemas["ApiKeyRead"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type User = Schemas["UserRead"];
export type UserCreated = Schemas["UserCreated"];
export type PasswordLink = Schemas["PasswordLinkRead"];
export type Webhook = Schemas["WebhookRead"];
export type WebhookCreated = Schemas["WebhookCreated"];
export type WebhookEvent = Schemas["WebhookEvent"];
export type WebhookDelivery = Schemas["WebhookDeliveryRead"];
export type DeliveryStatus = Schemas["DeliveryStatus"];
export type ReportIndex = Schemas["ReportIndex"];
export type StrategyProgress = Schemas["StrategyProgress"];
export type OutcomeProgress = Schemas["OutcomeProgress"];
export type IndicatorProgress = Schemas["IndicatorProgress"];
export type Worklist = Schemas["Worklist"];
export type WorklistGroup = Schemas["WorklistGroup"];
export type WorklistTask = Schemas["WorklistTask"];
