import type { AttendanceStatus } from "../api/types";

export type QuorumState = {
  required: number;
  presentVoting: number;
  quorate: boolean;
  /** How many more voting members are needed (0 when quorate). */
  short: number;
};

const COUNTS_TOWARDS_QUORUM: readonly AttendanceStatus[] = ["present", "substitute"];

/**
 * Present voting members plus voting substitutes against the partnership's quorum
 * (DESIGN §3), recomputed in the browser as attendance is recorded.
 */
export function computeQuorum(
  members: readonly { id: number; voting: boolean }[],
  attendance: ReadonlyMap<number, AttendanceStatus>,
  required: number,
): QuorumState {
  const presentVoting = members.filter((m) => {
    const status = attendance.get(m.id);
    return m.voting && status !== undefined && COUNTS_TOWARDS_QUORUM.includes(status);
  }).length;
  return {
    required,
    presentVoting,
    quorate: presentVoting >= required,
    short: Math.max(0, required - presentVoting),
  };
}
