import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, unwrap, unwrapTagged } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { components } from "../../api/schema";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";

type Terms = components["schemas"]["TermsOfReferenceRead"];
type TermsBody = components["schemas"]["TermsOfReferenceUpdate"];
type Field = Exclude<keyof TermsBody, never>;

/** Each rule, in the order and words of the handbook. */
const FIELDS: { name: Field; label: string; kind: "int" | "ratio" | "bool" | "optional" }[] = [
  { name: "quorum", label: "Quorum (voting members present)", kind: "int" },
  { name: "max_months_between_meetings", label: "Most months between meetings", kind: "int" },
  { name: "min_meetings_per_year", label: "Fewest meetings a year", kind: "optional" },
  { name: "attendance_threshold", label: "Attendance expected of each member (%)", kind: "ratio" },
  { name: "max_substitutions_per_year", label: "Most substitutions a member may send a year", kind: "int" },
  { name: "chair_term_months", label: "Chair's term (months)", kind: "int" },
  { name: "reporting_cycle_months", label: "Reporting cycle (months)", kind: "int" },
  { name: "resignation_notice_months", label: "Notice of resignation (months)", kind: "int" },
  { name: "voluntary_rep_required", label: "A voluntary or community sector member is required", kind: "bool" },
];
const LABELS = Object.fromEntries(FIELDS.map((f) => [f.name, f.label])) as Record<string, string>;

export function shown(kind: (typeof FIELDS)[number]["kind"], value: unknown): string {
  if (value === null || value === undefined) return "not set";
  if (kind === "bool") return value ? "Yes" : "No";
  if (kind === "ratio") return `${Math.round(Number(value) * 100)}%`;
  return String(value);
}

const kindOf = (name: string) => FIELDS.find((f) => f.name === name)?.kind ?? "int";

function bodyOf(terms: Terms): TermsBody {
  const { partnership_id: _p, version: _v, ...body } = terms;
  return body;
}

function TermsForm({
  partnershipId,
  terms,
  etag,
  onSaved,
  onCancel,
}: {
  partnershipId: number;
  terms: Terms;
  etag: string | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<TermsBody>(() => bodyOf(terms));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [stale, setStale] = useState(false);
  const set = (name: Field, value: unknown) => setDraft((d) => ({ ...d, [name]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PUT("/api/v1/partnerships/{partnership_id}/terms-of-reference", {
          params: { path: { partnership_id: partnershipId }, header: { "if-match": etag ?? undefined } },
          body: draft,
        }),
      );
      onSaved();
    } catch (error) {
      const p = asProblem(error);
      if (p.status === 412) setStale(true);
      else setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="terms-form" onSubmit={submit} aria-labelledby="terms-form-title">
      <h3 id="terms-form-title">Change the terms of reference</h3>
      {stale && (
        <div class="alert alert-warning" role="alert">
          <p>Someone else changed the terms of reference while you were editing.</p>
          <p>Reload to see their version, then make your change again.</p>
          <button type="button" class="button-secondary" onClick={onCancel}>
            Reload
          </button>
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
      {FIELDS.map((f) => {
        const id = `terms-${f.name}`;
        const value = draft[f.name];
        if (f.kind === "bool") {
          return (
            <div class="form-row checkbox" key={f.name}>
              <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => set(f.name, e.currentTarget.checked)} />
              <label for={id}>{f.label}</label>
            </div>
          );
        }
        return (
          <div class="form-row" key={f.name}>
            <label for={id}>{f.label}</label>
            <input
              id={id}
              type="number"
              inputMode="numeric"
              min={f.kind === "int" ? 1 : 0}
              max={f.kind === "ratio" ? 100 : undefined}
              required={f.kind !== "optional"}
              value={f.kind === "ratio" ? Math.round(Number(value) * 100) : (value as number | null) ?? ""}
              onInput={(e) => {
                const raw = e.currentTarget.value;
                if (f.kind === "optional") set(f.name, raw === "" ? null : Number(raw));
                else if (f.kind === "ratio") set(f.name, Number(raw) / 100);
                else set(f.name, Number(raw));
              }}
            />
          </div>
        );
      })}
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save terms of reference"}
        </button>
        <button type="button" class="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function History({ partnershipId, version }: { partnershipId: number; version: number }) {
  const [versions, reload] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/partnerships/{partnership_id}/terms-of-reference/versions", {
          params: { path: { partnership_id: partnershipId } },
        }),
      ),
    [partnershipId, version],
  );
  return (
    <details class="terms-history">
      <summary>Version history</summary>
      <Loadable resource={versions} label="versions" onRetry={reload}>
        {(items) =>
          items.length === 0 ? (
            <p class="muted">Unchanged since the partnership was set up with the handbook's terms.</p>
          ) : (
            <ol reversed>
              {items.map((v, i) => (
                <li key={`${v.at}-${i}`}>
                  <strong>{formatDateTime(v.at)}</strong> by {v.principal}
                  <ul>
                    {Object.entries(v.changes).map(([name, [before, after]]) => (
                      <li key={name}>
                        {LABELS[name] ?? name}: {shown(kindOf(name), before)} → {shown(kindOf(name), after)}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          )
        }
      </Loadable>
    </details>
  );
}

/** The rules the partnership runs by; its officers (`canManage`) change them. */
export function TermsOfReference({ partnershipId, canManage }: { partnershipId: number; canManage: boolean }) {
  const [editing, setEditing] = useState(false);
  const [terms, reload] = useResource(
    () =>
      unwrapTagged(
        api.GET("/api/v1/partnerships/{partnership_id}/terms-of-reference", {
          params: { path: { partnership_id: partnershipId } },
        }),
      ),
    [partnershipId],
  );
  return (
    <Loadable resource={terms} label="terms of reference" onRetry={reload}>
      {({ data, etag }) => (
        <div class="terms">
          <dl>
            {FIELDS.map((f) => (
              <Fragment key={f.name}>
                <dt>{f.label}</dt>
                <dd>{shown(f.kind, data[f.name])}</dd>
              </Fragment>
            ))}
          </dl>
          <History partnershipId={partnershipId} version={data.version} />
          {canManage &&
            (editing ? (
              <TermsForm
                partnershipId={partnershipId}
                terms={data}
                etag={etag}
                onSaved={() => {
                  setEditing(false);
                  reload();
                }}
                onCancel={() => {
                  setEditing(false);
                  reload();
                }}
              />
            ) : (
              <button type="button" onClick={() => setEditing(true)}>
                Change the terms of reference
              </button>
            ))}
        </div>
      )}
    </Loadable>
  );
}
