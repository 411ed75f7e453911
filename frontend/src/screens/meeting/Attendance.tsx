import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { AttendanceStatus, Meeting } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { MAX_PAGE, organisationDirectory, peopleDirectory } from "../../lib/directory";
import { ATTENDANCE_LABELS, ROLE_LABELS } from "../../lib/labels";
import { computeQuorum } from "../../lib/quorum";
import { useResource } from "../../lib/useResource";
import { QuorumIndicator } from "./QuorumIndicator";

const STATUSES = Object.keys(ATTENDANCE_LABELS) as AttendanceStatus[];

async function loadAttendance(meeting: Meeting) {
  const [members, attendance, people, organisations] = await Promise.all([
    unwrap(
      api.GET("/api/v1/memberships", {
        params: {
          query: {
            partnership_id: meeting.partnership_id,
            as_of: meeting.starts_at.slice(0, 10),
            limit: MAX_PAGE,
          },
        },
      }),
    ),
    unwrap(
      api.GET("/api/v1/meetings/{meeting_id}/attendance", {
        params: { path: { meeting_id: meeting.id }, query: { limit: MAX_PAGE } },
      }),
    ),
    peopleDirectory(),
    organisationDirectory(),
  ]);
  const rows = members.items
    .map((m) => ({
      id: m.id,
      voting: m.voting,
      role: m.role,
      name: people.get(m.person_id)?.name ?? `Person ${m.person_id}`,
      onBehalfOf: m.on_behalf_of_id ? organisations.get(m.on_behalf_of_id)?.name : undefined,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const statuses = new Map(attendance.items.map((a) => [a.membership_id, a.status]));
  return { rows, statuses };
}

type Loaded = Awaited<ReturnType<typeof loadAttendance>>;

function AttendanceTable({ meeting, loaded }: { meeting: Meeting; loaded: Loaded }) {
  const { me, can } = useAuth();
  const [statuses, setStatuses] = useState(loaded.statuses);
  const [saving, setSaving] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const manage = can("admin", "officer");
  const mine = new Set(me?.memberships.map((m) => m.id));

  async function record(membershipId: number, status: AttendanceStatus) {
    setSaving(membershipId);
    setProblem(null);
    try {
      const saved = await unwrap(
        api.PUT("/api/v1/meetings/{meeting_id}/attendance/{membership_id}", {
          params: { path: { meeting_id: meeting.id, membership_id: membershipId } },
          body: { status },
        }),
      );
      setStatuses((current) => new Map(current).set(saved.membership_id, saved.status));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setSaving(null);
    }
  }

  return (
    <>
      <QuorumIndicator quorum={computeQuorum(loaded.rows, statuses, meeting.quorum.required)} />
      {problem && <ErrorMessage problem={problem} />}
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Attendance">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Attendance</th>
            </tr>
          </thead>
          <tbody>
            {loaded.rows.map((row) => {
              const status = statuses.get(row.id);
              const label = `Attendance of ${row.name}`;
              return (
                <tr key={row.id}>
                  <td>
                    {row.name}
                    {row.onBehalfOf && <span class="muted small"> for {row.onBehalfOf}</span>}
                  </td>
                  <td>
                    {ROLE_LABELS[row.role]}
                    {row.voting ? "" : " (non-voting)"}
                  </td>
                  <td>
                    {manage ? (
                      <select
                        aria-label={label}
                        value={status ?? ""}
                        disabled={saving === row.id}
                        onChange={(e) => void record(row.id, e.currentTarget.value as AttendanceStatus)}
                      >
                        <option value="" disabled>
                          Not recorded
                        </option>
                        {STATUSES.map((s) => (
                          <option key={s} value={s}>
                            {ATTENDANCE_LABELS[s]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span>{status ? ATTENDANCE_LABELS[status] : "Not recorded"}</span>
                    )}
                    {!manage && mine.has(row.id) && status !== "apologies" && (
                      <button
                        type="button"
                        class="button-secondary"
                        disabled={saving === row.id}
                        onClick={() => void record(row.id, "apologies")}
                      >
                        Send my apologies
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Who came, who sent apologies, and whether that makes the meeting quorate. */
export function Attendance({ meeting }: { meeting: Meeting }) {
  const [attendance, reload] = useResource(() => loadAttendance(meeting), [meeting.id]);
  return (
    <Loadable resource={attendance} label="attendance" onRetry={reload}>
      {(loaded) => <AttendanceTable meeting={meeting} loaded={loaded} />}
    </Loadable>
  );
}
