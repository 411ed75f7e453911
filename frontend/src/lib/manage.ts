import type { Me } from "../api/types";

const MANAGER_ROLES = new Set(["officer", "chair", "vice_chair"]);

/**
 * Whether `me` may change a partnership's records (its meetings, agendas, papers): admins
 * everywhere, officers where they officer, chair or vice-chair, as the API's policy says.
 */
export function mayManage(me: Me, partnershipId: number): boolean {
  if (me.role === "admin") return true;
  if (me.role !== "officer") return false;
  return me.memberships.some((m) => m.partnership_id === partnershipId && MANAGER_ROLES.has(m.role));
}
