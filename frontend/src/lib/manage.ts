import type { Me } from "../api/types";

const MANAGER_ROLES = new Set(["chair", "vice_chair", "officer"]);

/**
 * Whether the signed-in account may change a partnership's members, terms of reference and
 * records: administrators, and officer accounts who chair, vice-chair or officer it (the rule
 * of api/partnerships/access.py), so a screen offers only writes the API will accept.
 */
export function managesPartnership(me: Me | null, partnershipId: number): boolean {
  if (!me) return false;
  if (me.role === "admin") return true;
  return (
    me.role === "officer" &&
    me.memberships.some((m) => m.partnership_id === partnershipId && MANAGER_ROLES.has(m.role))
  );
}
