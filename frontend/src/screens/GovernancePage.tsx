import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import type { GovernanceFinding } from "../api/types";
import { Loadable } from "../components/Loadable";
import { formatDate } from "../lib/dates";
import { humanise } from "../lib/labels";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

type Rule = components["schemas"]["Rule"];

/** Each check and the rule of the terms of reference it applies. */
export const RULES: Record<Rule, { label: string; rule: string }> = {
  attendance_below_threshold: {
    label: "Attendance below the threshold",
    rule: "Members attend at least the share of meetings the terms of reference set, over the last 12 months.",
  },
  substitutions_over_limit: {
    label: "Too many substitutions",
    rule: "A member who sends a substitute more often than the yearly limit ceases to be a member.",
  },
  meeting_overdue: {
    label: "Meeting overdue",
    rule: "The partnership meets at least every so many months (terms of reference).",
  },
  too_few_meetings: {
    label: "Too few meetings",
    rule: "A strategic group meets at least the yearly minimum of its terms of reference.",
  },
  chair_past_term: {
    label: "Chair past term",
    rule: "A chair serves no longer than the chair's term of the terms of reference.",
  },
  no_voluntary_member: {
    label: "No voluntary sector member",
    rule: "The partnership includes a member on behalf of a voluntary or community organisation.",
  },
  inquorate_meeting: {
    label: "Inquorate meeting",
    rule: "No business is done without a quorum of voting members present.",
  },
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function evidenceValue(name: string, value: unknown) {
  if (name === "meeting_ids" && Array.isArray(value)) {
    return (
      <>
        {value.map((id, i) => (
          <span key={String(id)}>
            {i > 0 && ", "}
            <a href={`/meetings/${String(id)}`}>meeting {String(id)}</a>
          </span>
        ))}
      </>
    );
  }
  if (typeof value === "string" && ISO_DATE.test(value)) return formatDate(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" && (name === "rate" || name === "threshold")) return `${Math.round(value * 100)}%`;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function FindingItem({ f, showPartnership }: { f: GovernanceFinding; showPartnership: boolean }) {
  return (
    <li class="finding card">
      <p>
        <span class={`finding-rule rule-${f.rule}`}>{RULES[f.rule].label}</span>
        {showPartnership && (
          <>
            {" · "}
            <a href={`/partnerships/${f.partnership_id}/governance`}>{f.partnership_name}</a>
          </>
        )}
      </p>
      <p>
        <strong>{f.message}</strong>
      </p>
      <p class="muted small">Rule: {RULES[f.rule].rule}</p>
      <dl class="evidence">
        {Object.entries(f.evidence).map(([name, value]) => (
          <div key={name}>
            <dt>{humanise(name)}</dt>
            <dd>{evidenceValue(name, value)}</dd>
          </div>
        ))}
      </dl>
      <p class="finding-links">
        {f.membership_id && (
          <a href={`/partnerships/${f.partnership_id}#membership-${f.membership_id}`}>
            {f.person_name ?? "The member"}'s membership
          </a>
        )}
        {f.meeting_id && <a href={`/meetings/${f.meeting_id}`}>The meeting</a>}
      </p>
    </li>
  );
}

/** Governance findings for one partnership (`id`) or for every partnership one may see. */
export function GovernancePage({ id }: { id?: string }) {
  const partnershipId = id ? Number(id) : null;
  const { path, query, route } = useLocation();
  const [report, reload] = useResource(
    () =>
      partnershipId
        ? unwrap(
            api.GET("/api/v1/partnerships/{partnership_id}/governance", {
              params: { path: { partnership_id: partnershipId } },
            }),
          )
        : unwrap(api.GET("/api/v1/governance")),
    [partnershipId],
  );
  const rule = (query.rule ?? "") as Rule | "";
  const partnership = query.partnership ?? "";
  const text = query.q ?? "";
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams({ ...query, [name]: value });
    for (const [k, v] of [...next.entries()]) if (!v) next.delete(k);
    const qs = next.toString();
    route(qs ? `${path}?${qs}` : path, true);
  };
  useTitle(partnershipId ? "Governance checks" : "Governance: every partnership");

  return (
    <Loadable resource={report} label="governance checks" onRetry={reload}>
      {(data) => {
        const name = partnershipId ? data.findings[0]?.partnership_name : null;
        const partnerships = [...new Map(data.findings.map((f) => [f.partnership_id, f.partnership_name])).entries()].sort(
          (a, b) => a[1].localeCompare(b[1]),
        );
        const needle = text.trim().toLowerCase();
        const shown = data.findings.filter(
          (f) =>
            (!rule || f.rule === rule) &&
            (!partnership || String(f.partnership_id) === partnership) &&
            (!needle || `${f.message} ${f.person_name ?? ""}`.toLowerCase().includes(needle)),
        );
        return (
          <>
            <header class="page-head">
              <h1>{partnershipId ? `Governance checks${name ? `: ${name}` : ""}` : "Governance: every partnership"}</h1>
              <p class="muted">
                Checked on {formatDate(data.checked_on)} against each partnership's terms of reference, looking back to{" "}
                {formatDate(data.window_start)}.{" "}
                {partnershipId ? (
                  <a href={`/partnerships/${partnershipId}`}>Back to the partnership</a>
                ) : null}
              </p>
            </header>
            <form class="filters card" role="search" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
              <div class="form-row">
                <label for="governance-rule">Rule</label>
                <select id="governance-rule" value={rule} onChange={(e) => setFilter("rule", e.currentTarget.value)}>
                  <option value="">Every rule ({data.findings.length})</option>
                  {(Object.keys(RULES) as Rule[]).map((r) => (
                    <option key={r} value={r}>
                      {RULES[r].label} ({data.counts[r] ?? 0})
                    </option>
                  ))}
                </select>
              </div>
              {!partnershipId && (
                <div class="form-row">
                  <label for="governance-partnership">Partnership</label>
                  <select
                    id="governance-partnership"
                    value={partnership}
                    onChange={(e) => setFilter("partnership", e.currentTarget.value)}
                  >
                    <option value="">Every partnership</option>
                    {partnerships.map(([pid, pname]) => (
                      <option key={pid} value={pid}>
                        {pname}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <div class="form-row">
                <label for="governance-text">Member or words</label>
                <input
                  id="governance-text"
                  type="search"
                  value={text}
                  onChange={(e) => setFilter("q", e.currentTarget.value)}
                />
              </div>
            </form>
            <p role="status" class="muted">
              {shown.length === data.findings.length
                ? `${shown.length} findings`
                : `${shown.length} of ${data.findings.length} findings`}
            </p>
            {shown.length === 0 ? (
              <p>No findings{rule || partnership || needle ? " match these filters" : ""}.</p>
            ) : (
              <ul class="findings-list">
                {shown.map((f, i) => (
                  <FindingItem key={`${f.rule}-${f.partnership_id}-${f.membership_id}-${f.meeting_id}-${i}`} f={f} showPartnership={!partnershipId} />
                ))}
              </ul>
            )}
          </>
        );
      }}
    </Loadable>
  );
}
