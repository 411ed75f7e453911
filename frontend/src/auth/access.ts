import type { Role } from "../api/types";

/**
 * The screens of the app and the roles that may use each: the menu offers only these, and an
 * address typed for another screen shows the "no access" page instead (the API refuses the
 * data anyway). The county reads only LAA data and reports (no partnership, meeting or
 * directory data), so it lands on the LAA screen.
 */
export type Screen =
  | "dashboard"
  | "worklist"
  | "partnership"
  | "task"
  | "meeting"
  | "pack"
  | "calendar"
  | "meetingForm"
  | "report"
  | "reports"
  | "strategy"
  | "laa"
  | "import"
  | "keys"
  | "users"
  | "webhooks"
  | "audit"
  | "governance"
  | "search"
  | "outbox"
  | "notifications";

const STAFF: readonly Role[] = ["admin", "officer", "member", "partner"];
const REPORT_READERS: readonly Role[] = ["admin", "officer", "member", "county"];
const OFFICERS: readonly Role[] = ["admin", "officer"];
const ADMINS: readonly Role[] = ["admin"];

const SCREEN_ROLES: Record<Screen, readonly Role[]> = {
  dashboard: STAFF,
  worklist: STAFF,
  partnership: STAFF,
  task: STAFF,
  meeting: STAFF,
  pack: STAFF,
  calendar: ["admin", "officer", "member"],
  meetingForm: OFFICERS,
  report: REPORT_READERS,
  reports: REPORT_READERS,
  strategy: REPORT_READERS,
  laa: ["admin", "officer", "county"],
  import: OFFICERS,
  keys: OFFICERS,
  users: ADMINS,
  webhooks: ADMINS,
  audit: ADMINS,
  governance: OFFICERS,
  search: ["admin", "officer", "member", "partner", "county"],
  outbox: ADMINS,
  // Only a user linked to a person has settings (the menu checks `person_id` too).
  notifications: ["admin", "officer", "member"],
};

/** What the "no access" page calls each screen. */
export const SCREEN_NAMES: Record<Screen, string> = {
  dashboard: "the dashboard",
  worklist: "the worklist",
  partnership: "partnership pages",
  task: "task pages",
  meeting: "meeting pages",
  pack: "agenda packs",
  calendar: "the calendar feed",
  meetingForm: "scheduling meetings",
  report: "performance reports",
  reports: "the list of reports",
  strategy: "strategy progress",
  laa: "the LAA dashboard",
  import: "imports",
  keys: "API keys",
  users: "user administration",
  webhooks: "webhooks",
  audit: "the audit trail",
  governance: "governance checks",
  search: "search",
  outbox: "the outbox",
  notifications: "notification settings",
};

export function mayUse(role: Role, screen: Screen): boolean {
  return SCREEN_ROLES[screen].includes(role);
}

/** Who can open a screen for someone who may not: administrators only, or officers too. */
export function grantedBy(screen: Screen): "admin" | "officer" {
  return SCREEN_ROLES[screen].includes("officer") ? "officer" : "admin";
}

export function homePath(role: Role): string {
  return mayUse(role, "dashboard") ? "/" : "/laa";
}

export function countyOnly(role: Role): boolean {
  return role === "county";
}
