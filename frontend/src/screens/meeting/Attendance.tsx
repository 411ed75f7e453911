import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, fieldError, type Problem } from "../../api/problem";
import type { AttendanceStatus, Meeting, Person } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { FieldError } from "../../components/FieldError";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { MAX_PAGE, organisationDirectory, peopleDirectory } from "../../lib/directory";
import { ATTENDANCE_LABELS, ROLE_LABELS } from "../../lib/labels";
import { computeQuorum } from "../../lib/quorum";
import { useResource } from "../../lib/useResource";
import { QuorumIndicator } from "./QuorumIndicator";
import type { SubstitutionLimit } from "./types";

const STATUSES = Object.keys(ATTENDANCE_LABELS) as AttendanceStatus[];

type Row = {
  id: number;
  personId: number;
  voting: boolean;
  role: keyof typeof ROLE_LABELS;
  name: string;
  /** The organisation the member represents: on behalf of, else their employer. */
  organisationId: number | null;
  organisationName?: string;
};

type Recorded = { status: AttendanceStatus; substitute: number | null; version: number };

async function loadAttendance(meeting: Meeting) {
  const [members, attendance, people, organisations, limits] = await Promise.all([
    unwrap(
      api.GET("/api/v1/memberships", {
        params: { query: { partnership_id: meeting.partnership_id, as_of: meeting.starts_at.slice(0, 10), limit: MAX_PAGE } },
      }),
    ),
    unwrap(api.GET("/api/v1/meetings/{meeting_id}/attendance", { params: { path: { meeting_id: meeting.id }, query: { limit: MAX_PAGE } } })),
    peopleDirectory(),
    organisationDirectory(),
    unwrap(api.GET("/api/v1/meetings/{meeting_id}/substitution-limits", { params: { path: { meeting_id: meeting.id } } })),
  ]);
  const rows: Row[] = members.items
    .map((m) => {
      const person = people.get(m.person_id);
      const organisationId = m.on_behalf_of_id ?? person?.organisation_id ?? null;
      return {
        id: m.id,
        personId: m.person_id,
        voting: m.voting ?? true,
        role: m.role ?? "member",
        name: person?.name ?? "A former member",
        organisationId,
        organisationName: organisationId ? organisations.get(organisationId)?.name : undefined,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const recorded = new Map<number, Recorded>(
    attendance.items.map((a) => [a.membership_id, { status: a.status, substitute: a.substitute_person_id, version: a.version }]),
  );
  const memberPeople = new Set(rows.map((r) => r.personId));
  return { rows, recorded, people, memberPeople, limits: new Map(limits.map((l) => [l.membership_id, l])) };
}

type Loaded = Awaited<ReturnType<typeof loadAttendance>>;

/** Colleagues who may stand in: people of the organisation the member represents who are not
 * members of the partnership in their own right. */
function colleagues(loaded: Loaded, row: Row): Person[] {
  if (row.organisationId === null) return [];
  return [...loaded.people.values()]
    .filter((p) => p.organisation_id === row.organisationId && !loaded.memberPeople.has(p.id))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function LimitWarning({ limit }: { limit: SubstitutionLimit | undefined }) {
  if (!limit?.ends_membership) return null;
  return (
    <p class="alert alert-warning small" role="alert">
      This would be the member's {limit.substitutions + 1}th substitute in twelve months (the terms of reference allow {limit.limit}): saving it
      ends their membership.
    </p>
  );
}

type SubstituteProps = {
  row: Row;
  loaded: Loaded;
  current: number | null;
  busy: boolean;
  problem: Problem | null;
  submitLabel: string;
  onSave: (personId: number) => void;
  onCancel?: () => void;
};

/** The person picker: limited to the organisation the member represents. */
function SubstituteForm({ row, loaded, current, busy, problem, submitLabel, onSave, onCancel }: SubstituteProps) {
  const choices = colleagues(loaded, row);
  const [person, setPerson] = useState<number | null>(current ?? choices[0]?.id ?? null);
  const id = `substitute-${row.id}`;
  const message = fieldError(problem, "substitute_person_id");
  if (choices.length === 0) return <p class="muted small">Nobody else at {row.organisationName ?? "the member's organisation"} can stand in.</p>;
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (person !== null) onSave(person);
      }}
    >
      <label for={id}>Substitute from {row.organisationName ?? "the member's organisation"}</label>
      <select id={id} value={person ?? ""} aria-describedby={message ? `${id}-error` : undefined} onChange={(e) => setPerson(Number(e.currentTarget.value))}>
        {choices.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={message} />
      <LimitWarning limit={loaded.limits.get(row.id)} />
      <button type="submit" disabled={busy || person === null}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" class="button-secondary" onClick={onCancel}>
          Back
        </button>
      )}
    </form>
  );
}

function Reinstate({ membershipId, name, onDone }: { membershipId: number; name: string; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST("/api/v1/memberships/{membership_id}/reinstatement", { params: { path: { membership_id: membershipId } }, body: { reason } }));
      onDone();
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }
  return (
    <form class="inline-form" onSubmit={submit}>
      {problem && <ErrorMessage problem={problem} />}
      <label for={`reinstate-${membershipId}`}>Reason for reinstating {name}</label>
      <input id={`reinstate-${membershipId}`} required maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="submit" disabled={busy}>
        Reinstate membership
      </button>
    </form>
  );
}

function AttendanceTable({ meeting, loaded, reload }: { meeting: Meeting; loaded: Loaded; reload: () => void }) {
  const can = meeting.can;
  const manage = can?.record_attendance ?? false;
  const { me } = useAuth();
  // The caller's own row, where the meeting's `can` lets them send apologies.
  const own = can?.send_apologies ? (me?.memberships.find((m) => m.partnership_id === meeting.partnership_id)?.id ?? null) : null;
  const [recorded, setRecorded] = useState(loaded.recorded);
  const [saving, setSaving] = useState<number | null>(null);
  const [picking, setPicking] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [ended, setEnded] = useState<{ id: number; name: string } | null>(null);
  const statuses = new Map([...recorded].map(([id, r]) => [id, r.status]));
  const names = new Map(loaded.people);

  async function record(row: Row, status: AttendanceStatus, substitute: number | null = null) {
    setSaving(row.id);
    setProblem(null);
    try {
      const saved = await unwrap(
        api.PUT("/api/v1/meetings/{meeting_id}/attendance/{membership_id}", {
          params: { path: { meeting_id: meeting.id, membership_id: row.id } },
          body: { status, substitute_person_id: substitute },
        }),
      );
      setRecorded((current) => new Map(current).set(saved.membership_id, { status: saved.status, substitute: saved.substitute_person_id, version: saved.version }));
      setPicking(null);
      if (saved.ended_membership) setEnded({ id: row.id, name: row.name });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setSaving(null);
    }
  }

  return (
    <>
      <QuorumIndicator quorum={computeQuorum(loaded.rows, statuses, meeting.quorum.required)} />
      {problem && picking === null && <ErrorMessage problem={problem} />}
      {ended && (
        <div class="alert alert-warning" role="alert">
          <p>
            {ended.name} has now sent a substitute more often than the terms of reference allow: their membership has ended (substitution limit).
          </p>
          {manage && <Reinstate membershipId={ended.id} name={ended.name} onDone={() => { setEnded(null); reload(); }} />}
        </div>
      )}
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
              const entry = recorded.get(row.id);
              const status = entry?.status;
              const substituteName = entry?.substitute ? names.get(entry.substitute)?.name : undefined;
              const label = `Attendance of ${row.name}`;
              const mine = own === row.id;
              return (
                <tr key={row.id}>
                  <td>
                    {row.name}
                    {row.organisationName && <span class="muted small"> for {row.organisationName}</span>}
                  </td>
                  <td>
                    {ROLE_LABELS[row.role]}
                    {row.voting ? "" : " (non-voting)"}
                  </td>
                  <td>
                    {manage ? (
                      <select
                        aria-label={label}
                        value={picking === row.id ? "substitute" : (status ?? "")}
                        disabled={saving === row.id}
                        onChange={(e) => {
                          const next = e.currentTarget.value as AttendanceStatus;
                          if (next === "substitute") {
                            setProblem(null);
                            setPicking(row.id);
                          } else void record(row, next);
                        }}
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
                    {substituteName && status === "substitute" && <span class="small"> — {substituteName}</span>}
                    {mine && !manage && picking !== row.id && status !== "apologies" && (
                      <button type="button" class="button-secondary" disabled={saving === row.id} onClick={() => void record(row, "apologies")}>
                        Send my apologies
                      </button>
                    )}
                    {mine && !manage && picking !== row.id && status !== "substitute" && (
                      <button type="button" class="button-secondary" disabled={saving === row.id} onClick={() => { setProblem(null); setPicking(row.id); }}>
                        Send a substitute
                      </button>
                    )}
                    {picking === row.id && (
                      <>
                        {problem && <ErrorMessage problem={problem} />}
                        <SubstituteForm
                          row={row}
                          loaded={loaded}
                          current={entry?.substitute ?? null}
                          busy={saving === row.id}
                          problem={problem}
                          submitLabel={mine && !manage ? "Send apologies and this substitute" : "Save substitute"}
                          onSave={(person) => void record(row, "substitute", person)}
                          onCancel={() => setPicking(null)}
                        />
                      </>
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

/** Who came, who sent apologies or a substitute, and whether that makes the meeting quorate. */
export function Attendance({ meeting }: { meeting: Meeting }) {
  const [attendance, reload] = useResource(() => loadAttendance(meeting), [meeting.id, meeting.version]);
  return (
    <Loadable resource={attendance} label="attendance" onRetry={reload}>
      {(loaded) => <AttendanceTable meeting={meeting} loaded={loaded} reload={reload} />}
    </Loadable>
  );
}
