import type { Me } from "../../api/types";

const MANAGER_ROLES = new Set(["chair", "vice_chair", "officer"]);

/**
 * Whether the signed-in principal manages a partnership (writes its meetings): administrators,
 * and officers who chair, vice-chair or officer it — the server's rule
 * (api/partnerships/access.py). Single meetings carry their own `can` instead.
 */
export function managesPartnership(me: Me | null, partnershipId: number): boolean {
  if (!me) return false;
  if (me.role === "admin") return true;
  if (me.role !== "officer") return false;
  return me.memberships.some((m) => m.partnership_id === partnershipId && MANAGER_ROLES.has(m.role));
}
