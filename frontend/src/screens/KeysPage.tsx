import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { ApiKey, ApiKeyCreated, Organisation, Role } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { formatDate, formatDateTime } from "../lib/dates";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

const ROLE_LABELS: Record<Role, string> = {
  partner: "Partner organisation (updates its own tasks)",
  county: "County council (reads LAA data)",
  member: "Member",
  officer: "Officer",
  admin: "Administrator",
};

async function loadKeys() {
  const [keys, organisations] = await Promise.all([
    unwrap(api.GET("/api/v1/api-keys", { params: { query: { limit: 500 } } })),
    unwrap(api.GET("/api/v1/organisations", { params: { query: { limit: 500, sort: "name" } } })),
  ]);
  return { keys: keys.items, organisations: organisations.items };
}

type Draft = { name: string; role: Role; organisation_id: number | null; expires_on: string };

/** Issue a key; the response is the only time the secret is ever shown. */
function IssueForm({ roles, organisations, onIssued }: {
  roles: Role[];
  organisations: Organisation[];
  onIssued: (key: ApiKeyCreated) => void;
}) {
  const [draft, setDraft] = useState<Draft>({ name: "", role: roles[0] ?? "partner", organisation_id: null, expires_on: "" });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const created = await unwrap(
        api.POST("/api/v1/api-keys", {
          body: {
            name: draft.name,
            role: draft.role,
            organisation_id: draft.role === "partner" ? draft.organisation_id : null,
            expires_at: draft.expires_on ? `${draft.expires_on}T23:59:59Z` : null,
          },
        }),
      );
      setDraft((d) => ({ ...d, name: "", expires_on: "" }));
      onIssued(created);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="key-form" onSubmit={submit}>
      <h2>Issue a key</h2>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for="key-name">Who or what uses it</label>
        <input id="key-name" required maxLength={200} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />
      </div>
      <div class="form-row">
        <label for="key-role">Role</label>
        <select id="key-role" value={draft.role} onChange={(e) => set("role", e.currentTarget.value as Role)}>
          {roles.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </select>
      </div>
      {draft.role === "partner" && (
        <div class="form-row">
          <label for="key-organisation">Organisation</label>
          <select
            id="key-organisation"
            required
            value={draft.organisation_id ?? ""}
            onChange={(e) => set("organisation_id", Number(e.currentTarget.value) || null)}
          >
            <option value="">Choose the organisation…</option>
            {organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="form-row">
        <label for="key-expires">Expires on (optional)</label>
        <input id="key-expires" type="date" value={draft.expires_on} onInput={(e) => set("expires_on", e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Issuing…" : "Issue key"}
      </button>
    </form>
  );
}

function KeyTable({ keys, organisations, onRevoke }: {
  keys: ApiKey[];
  organisations: Organisation[];
  onRevoke: (key: ApiKey) => void;
}) {
  if (keys.length === 0) return <p>No keys yet.</p>;
  const names = new Map(organisations.map((o) => [o.id, o.name]));
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="API keys">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Role</th>
            <th scope="col">Organisation</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>{key.name}</td>
              <td>
                <code>lsp_{key.prefix}_…</code>
              </td>
              <td>{key.role}</td>
              <td>{key.organisation_id ? (names.get(key.organisation_id) ?? key.organisation_id) : "—"}</td>
              <td>{key.last_used_at ? formatDateTime(key.last_used_at) : "never"}</td>
              <td>{formatDate(key.expires_at)}</td>
              <td>
                {key.revoked_at ? (
                  `Revoked ${formatDate(key.revoked_at)}`
                ) : (
                  <button type="button" class="button-secondary" onClick={() => onRevoke(key)}>
                    Revoke <span class="visually-hidden">{key.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** API keys for partner feeds and the county's pull: issue, see last use, revoke. */
export function KeysPage() {
  useTitle("API keys");
  const { can } = useAuth();
  const [resource, reload] = useResource(loadKeys, []);
  const [issued, setIssued] = useState<ApiKeyCreated | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  // Officers issue partner keys for organisations on partnerships they manage (DESIGN §5).
  const roles: Role[] = can("admin") ? ["partner", "county", "member", "officer", "admin"] : ["partner"];

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke "${key.name}"? Anything using it stops working at once.`)) return;
    setProblem(null);
    try {
      await unwrap(api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: key.id } } }));
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    }
  }

  return (
    <>
      <h1>API keys</h1>
      <p>
        Partner organisations send task updates with a key bound to their organisation; the county pulls LAA data
        with a read-only key. A key is shown once, when it is issued.
      </p>
      {issued && (
        <div class="alert alert-success" role="status">
          <p>
            <strong>Key issued for {issued.name}.</strong> Copy it now: it will not be shown again.
          </p>
          <p>
            <code class="secret" aria-label="The new key">{issued.key}</code>
          </p>
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
      <Loadable resource={resource} label="the API keys" onRetry={reload}>
        {({ keys, organisations }) => (
          <>
            <KeyTable keys={keys} organisations={organisations} onRevoke={(key) => void revoke(key)} />
            <IssueForm
              roles={roles}
              organisations={organisations}
              onIssued={(key) => {
                setIssued(key);
                reload();
              }}
            />
          </>
        )}
      </Loadable>
    </>
  );
}
