import type { AttendanceStatus, MembershipRole, Role } from "../api/types";

export const ROLE_LABELS: Record<MembershipRole, string> = {
  chair: "Chair",
  vice_chair: "Vice-chair",
  member: "Member",
  officer: "Officer",
  representative: "Representative",
  observer: "Observer",
  adviser: "Adviser",
};

export const ATTENDANCE_LABELS: Record<AttendanceStatus, string> = {
  present: "Present",
  apologies: "Apologies",
  absent: "Absent",
  substitute: "Substitute attended",
};

/** "away_day" → "Away day". */
export const humanise = (value: string): string =>
  value.charAt(0).toUpperCase() + value.slice(1).replaceAll("_", " ");

/** What each kind of account is called on screen. */
export const ACCOUNT_ROLE_LABELS: Record<Role, string> = {
  admin: "Administrator",
  officer: "Officer",
  member: "Member",
  partner: "Partner organisation",
  county: "County council",
};
