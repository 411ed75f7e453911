import type { Role } from "../api/types";

/**
 * Where a role starts and which screens it has. The county reads only LAA data and reports
 * (no partnership, meeting or directory data), so it lands on the LAA screen and sees no
 * dashboard, partnership, meeting, task or import screens.
 */
export function homePath(role: Role): string {
  return role === "county" ? "/laa" : "/";
}

export function countyOnly(role: Role): boolean {
  return role === "county";
}
