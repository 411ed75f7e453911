import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { Membership, MembershipRole, Organisation, Person } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { formatDate, todayIso } from "../../lib/dates";
import {
  forgetDirectories,
  MAX_PAGE,
  organisationDirectory,
  peopleDirectory,
} from "../../lib/directory";
import { ROLE_LABELS } from "../../lib/labels";
import { useResource } from "../../lib/useResource";

const ROLE_ORDER = Object.keys(ROLE_LABELS) as MembershipRole[];
const TERM_ROLES: MembershipRole[] = ["chair", "vice_chair"];

type Row = Membership & { person: string; onBehalfOf?: string };
type Directory = { people: Person[]; organisations: Organisation[] };

async function loadMembers(partnershipId: number) {
  const [page, people, organisations] = await Promise.all([
    unwrap(
      api.GET("/api/v1/memberships", {
        params: { query: { partnership_id: partnershipId, current: true, limit: MAX_PAGE } },
      }),
    ),
    peopleDirectory(),
    organisationDirectory(),
  ]);
  const rows: Row[] = page.items
    .map((m) => ({
      ...m,
      person: people.get(m.person_id)?.name ?? `Person ${m.person_id}`,
      onBehalfOf: m.on_behalf_of_id ? organisations.get(m.on_behalf_of_id)?.name : undefined,
    }))
    .sort(
      (a, b) =>
        ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.person.localeCompare(b.person),
    );
  const byName = <T extends { name: string }>(items: Iterable<T>) =>
    [...items].sort((a, b) => a.name.localeCompare(b.name));
  return {
    rows,
    directory: { people: byName(people.values()), organisations: byName(organisations.values()) },
  };
}

/** Runs a write, keeping its problem (shown beside the form) and a busy flag. */
function useSubmit(action: () => Promise<unknown>, onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await action();
      onDone();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, submit };
}

function OrganisationSelect(props: {
  id: string;
  value: number | null;
  organisations: Organisation[];
  onChange: (id: number | null) => void;
  none?: string;
}) {
  return (
    <select
      id={props.id}
      value={props.value ?? ""}
      onChange={(e) => props.onChange(Number(e.currentTarget.value) || null)}
    >
      <option value="">{props.none ?? "None"}</option>
      {props.organisations.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

function AddMember({
  partnershipId,
  directory,
  onSaved,
}: {
  partnershipId: number;
  directory: Directory;
  onSaved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [personId, setPersonId] = useState<number | "new" | null>(null);
  const [newPerson, setNewPerson] = useState({ name: "", email: "", job_title: "" });
  const [onBehalfOf, setOnBehalfOf] = useState<number | null>(null);
  const [represents, setRepresents] = useState("");
  const [role, setRole] = useState<MembershipRole>("member");
  const [voting, setVoting] = useState(true);
  const [startedOn, setStartedOn] = useState(todayIso());
  const [termEndsOn, setTermEndsOn] = useState("");

  const { busy, problem, submit } = useSubmit(
    async () => {
      let person = personId;
      if (person === "new") {
        const created = await unwrap(
          api.POST("/api/v1/people", {
            body: {
              name: newPerson.name,
              email: newPerson.email || null,
              job_title: newPerson.job_title || null,
              organisation_id: onBehalfOf,
            },
          }),
        );
        forgetDirectories();
        setPersonId(created.id);
        person = created.id;
      }
      if (person === null) throw new Error("Choose a person");
      await unwrap(
        api.POST("/api/v1/memberships", {
          body: {
            person_id: person,
            partnership_id: partnershipId,
            on_behalf_of_id: onBehalfOf,
            represents: represents || null,
            role,
            voting,
            started_on: startedOn,
            term_ends_on: TERM_ROLES.includes(role) && termEndsOn ? termEndsOn : null,
          },
        }),
      );
    },
    () => {
      setOpen(false);
      setPersonId(null);
      setNewPerson({ name: "", email: "", job_title: "" });
      setRepresents("");
      onSaved();
    },
  );

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Add a member
      </button>
    );
  }
  return (
    <form class="member-form" onSubmit={submit} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for="member-person">Person</label>
        <select
          id="member-person"
          required
          value={personId ?? ""}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setPersonId(v === "new" ? "new" : Number(v) || null);
          }}
        >
          <option value="">Choose a person…</option>
          <option value="new">Someone new (add them to the directory)</option>
          {directory.people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
              {p.job_title ? ` — ${p.job_title}` : ""}
            </option>
          ))}
        </select>
      </div>
      {personId === "new" && (
        <fieldset>
          <legend>New person</legend>
          <div class="form-row">
            <label for="new-person-name">Name</label>
            <input
              id="new-person-name"
              required
              value={newPerson.name}
              onInput={(e) => setNewPerson({ ...newPerson, name: e.currentTarget.value })}
            />
          </div>
          <div class="form-row">
            <label for="new-person-email">E-mail</label>
            <input
              id="new-person-email"
              type="email"
              value={newPerson.email}
              onInput={(e) => setNewPerson({ ...newPerson, email: e.currentTarget.value })}
            />
          </div>
          <div class="form-row">
            <label for="new-person-job">Job title</label>
            <input
              id="new-person-job"
              value={newPerson.job_title}
              onInput={(e) => setNewPerson({ ...newPerson, job_title: e.currentTarget.value })}
            />
          </div>
        </fieldset>
      )}
      <div class="form-row">
        <label for="member-org">On behalf of (organisation represented)</label>
        <OrganisationSelect
          id="member-org"
          value={onBehalfOf}
          organisations={directory.organisations}
          onChange={setOnBehalfOf}
        />
      </div>
      <div class="form-row">
        <label for="member-represents">Represents (sector or network, optional)</label>
        <input
          id="member-represents"
          value={represents}
          onInput={(e) => setRepresents(e.currentTarget.value)}
        />
      </div>
      <div class="form-row">
        <label for="member-role">Role</label>
        <select
          id="member-role"
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as MembershipRole)}
        >
          {ROLE_ORDER.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row checkbox">
        <input
          id="member-voting"
          type="checkbox"
          checked={voting}
          onChange={(e) => setVoting(e.currentTarget.checked)}
        />
        <label for="member-voting">Voting member</label>
      </div>
      <div class="form-row">
        <label for="member-start">Start date</label>
        <input
          id="member-start"
          type="date"
          required
          value={startedOn}
          onInput={(e) => setStartedOn(e.currentTarget.value)}
        />
      </div>
      {TERM_ROLES.includes(role) && (
        <div class="form-row">
          <label for="member-term">Term ends (blank: the longest term the terms of reference allow)</label>
          <input
            id="member-term"
            type="date"
            value={termEndsOn}
            onInput={(e) => setTermEndsOn(e.currentTarget.value)}
          />
        </div>
      )}
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Add member"}
        </button>
        <button type="button" class="button-secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type EndReason = "resigned" | "employer_changed" | "term_ended" | "attendance" | "substitutions" | "expelled" | "other";
const END_REASONS: [EndReason, string][] = [
  ["resigned", "Resigned"],
  ["employer_changed", "Changed employer"],
  ["term_ended", "Term ended"],
  ["attendance", "Attendance below the threshold"],
  ["substitutions", "Too many substitutions"],
  ["expelled", "Expelled"],
  ["other", "Other"],
];

/** The resignation rule for a notice date, as the API states and applies it. */
function useResignationTerms(membershipId: number, notice: string) {
  const [terms, setTerms] = useState<{ rule: string; earliest: string } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    let current = true;
    if (!notice) return;
    unwrap(
      api.GET("/api/v1/memberships/{membership_id}/resignation", {
        params: { path: { membership_id: membershipId }, query: { notice_given_on: notice } },
      }),
    ).then(
      (t) => {
        if (!current) return;
        setProblem(null);
        setTerms({ rule: t.rule, earliest: t.earliest_ended_on });
      },
      (e: unknown) => current && setProblem(asProblem(e)),
    );
    return () => {
      current = false;
    };
  }, [membershipId, notice]);
  return { terms, problem };
}

function EndMembership({
  member,
  organisations,
  canManage,
  onDone,
  onCancel,
}: {
  member: Row;
  organisations: Organisation[];
  /** Officers end memberships for any reason; a member may only hand in their resignation. */
  canManage: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState<EndReason>("resigned");
  const [notice, setNotice] = useState(todayIso());
  const [endedOn, setEndedOn] = useState("");
  const [employer, setEmployer] = useState<number | null>(null);
  const { terms, problem: termsProblem } = useResignationTerms(member.id, reason === "resigned" ? notice : "");
  const ended = endedOn || (reason === "resigned" ? (terms?.earliest ?? "") : todayIso());

  const { busy, problem, submit } = useSubmit(async () => {
    if (reason === "employer_changed") {
      await unwrap(
        api.POST("/api/v1/people/{person_id}/employer-change", {
          params: { path: { person_id: member.person_id } },
          body: { organisation_id: employer, changed_on: ended },
        }),
      );
      forgetDirectories();
      return;
    }
    await unwrap(
      api.PATCH("/api/v1/memberships/{item_id}", {
        params: { path: { item_id: member.id }, header: { "if-match": `"${member.version}"` } },
        body: {
          end_reason: reason,
          ended_on: ended,
          notice_given_on: reason === "resigned" ? notice : null,
        },
      }),
    );
  }, onDone);

  const prefix = `end-${member.id}`;
  return (
    <form class="member-form" onSubmit={submit} aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>End {member.person}'s membership</h3>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for={`${prefix}-reason`}>Reason</label>
        <select
          id={`${prefix}-reason`}
          value={reason}
          onChange={(e) => {
            setReason(e.currentTarget.value as EndReason);
            setEndedOn("");
          }}
        >
          {END_REASONS.filter(([value]) => canManage || value === "resigned").map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {reason === "resigned" && (
        <div class="form-row">
          <label for={`${prefix}-notice`}>Notice given on</label>
          <input
            id={`${prefix}-notice`}
            type="date"
            required
            value={notice}
            onInput={(e) => setNotice(e.currentTarget.value)}
          />
        </div>
      )}
      {reason === "employer_changed" && (
        <>
          <div class="form-row">
            <label for={`${prefix}-employer`}>New employer</label>
            <OrganisationSelect
              id={`${prefix}-employer`}
              value={employer}
              organisations={organisations}
              onChange={setEmployer}
              none="None (left employment)"
            />
          </div>
          <p class="muted small">
            A change of employer ends the person's strategic and executive group memberships on
            the day it takes effect.
          </p>
        </>
      )}
      <div class="form-row">
        <label for={`${prefix}-ended`}>
          {reason === "employer_changed" ? "Changed employer on" : "Membership ends on"}
        </label>
        <input
          id={`${prefix}-ended`}
          type="date"
          required
          min={reason === "resigned" ? terms?.earliest : undefined}
          value={ended}
          aria-describedby={reason === "resigned" ? `${prefix}-rule` : undefined}
          onInput={(e) => setEndedOn(e.currentTarget.value)}
        />
      </div>
      {reason === "resigned" && (
        <p id={`${prefix}-rule`} class="alert alert-info notice-rule" role="status">
          {terms ? terms.rule : "Checking the notice rule…"}
          {terms && ended && ended < terms.earliest && (
            <>
              {" "}
              <strong>The date chosen is too early.</strong>
            </>
          )}
        </p>
      )}
      {termsProblem && <ErrorMessage problem={termsProblem} />}
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "End membership"}
        </button>
        <button type="button" class="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function roleCell(m: Row) {
  const label = ROLE_LABELS[m.role];
  if (!TERM_ROLES.includes(m.role)) return label;
  return (
    <>
      {label}
      <span class="muted small"> · term ends {m.term_ends_on ? formatDate(m.term_ends_on) : "not set"}</span>
    </>
  );
}

/** The current members; officers of the partnership (`canManage`, the partnership's
 * `can.update`) add members, and whoever may change a membership (its `can.update`) ends it. */
export function Members({ partnershipId, canManage }: { partnershipId: number; canManage: boolean }) {
  const [members, reload] = useResource(() => loadMembers(partnershipId), [partnershipId]);
  const [ending, setEnding] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Loadable resource={members} label="members" onRetry={reload}>
      {({ rows, directory }) => {
        const endable = (m: Row) => Boolean(m.can?.update) && !m.ended_on;
        const actions = rows.some(endable);
        return (
        <>
          {notice && (
            <p class="alert alert-success" role="status">
              {notice}
            </p>
          )}
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Members">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">On behalf of</th>
                  <th scope="col">Represents</th>
                  <th scope="col">Voting</th>
                  <th scope="col">Since</th>
                  {actions && <th scope="col"><span class="visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.id} id={`membership-${m.id}`}>
                    <td>
                      {m.person}
                      {m.ended_on && <span class="muted small"> · leaves {formatDate(m.ended_on)}</span>}
                    </td>
                    <td>{roleCell(m)}</td>
                    <td>{m.onBehalfOf ?? "—"}</td>
                    <td>{m.represents ?? "—"}</td>
                    <td>{m.voting ? "Yes" : "No"}</td>
                    <td>{formatDate(m.started_on)}</td>
                    {actions && (
                      <td>
                        {endable(m) && <button
                          type="button"
                          class="button-secondary"
                          onClick={() => setEnding(m.id)}
                        >
                          End membership<span class="visually-hidden"> of {m.person}</span>
                        </button>}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {ending !== null && rows.some((m) => m.id === ending && endable(m)) && (
            <EndMembership
              key={ending}
              member={rows.find((m) => m.id === ending)!}
              organisations={directory.organisations}
              canManage={canManage}
              onCancel={() => setEnding(null)}
              onDone={() => {
                const who = rows.find((m) => m.id === ending)?.person;
                setEnding(null);
                setNotice(`${who}'s membership has been ended.`);
                reload();
              }}
            />
          )}
          {canManage && (
            <AddMember
              partnershipId={partnershipId}
              directory={directory}
              onSaved={() => {
                setNotice("Member added.");
                reload();
              }}
            />
          )}
        </>
        );
      }}
    </Loadable>
  );
}
