import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, fieldError, type Problem } from "../../api/problem";
import type { PasswordLink, Role, User } from "../../api/types";
import { useMe } from "../../auth/AuthContext";
import { FieldError } from "../../components/FieldError";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { EditRow, TableHead } from "../../components/Table";
import { formatDateTime } from "../../lib/dates";
import { listAll, MAX_PAGE, organisationDirectory, peopleDirectory } from "../../lib/directory";
import { ACCOUNT_ROLE_LABELS } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import "../../styles/admin.css";

const ROLES: Role[] = ["member", "officer", "county", "admin"];
const ROLE_HELP: Partial<Record<Role, string>> = {
  member: "reads their partnerships, updates their organisation's tasks",
  officer: "runs the partnerships they chair or officer",
  county: "reads LAA data and reports",
  admin: "everything, including users and webhooks",
};

/** Organisations and directory people to choose from, by name. */
type Directory = { organisations: Choice[]; people: Choice[] };

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, "en-GB");

async function loadUsers() {
  const [users, organisations, people] = await Promise.all([
    listAll((offset) => unwrap(api.GET("/api/v1/users", { params: { query: { limit: MAX_PAGE, offset } } }))),
    organisationDirectory(),
    peopleDirectory(),
  ]);
  return {
    users,
    organisations: [...organisations.values()].sort(byName).map((o) => ({ id: o.id, label: o.name })),
    people: [...people.values()]
      .sort(byName)
      .map((p) => ({ id: p.id, label: p.email ? `${p.name} (${p.email})` : p.name })),
  };
}

/** The absolute address of a one-time link on this server. */
const linkAddress = (link: PasswordLink) => `${window.location.origin}${link.path}`;

type Notice = { user: Pick<User, "name" | "email">; link: PasswordLink; reason: "created" | "reset" };

/** A one-time link, shown once: the admin passes it on (e-mail arrives with notifications). */
function LinkNotice({ notice }: { notice: Notice }) {
  return (
    <div class="alert alert-success" role="status">
      <p>
        <strong>
          {notice.reason === "created" ? "User created" : "Password reset"} for {notice.user.name}.
        </strong>{" "}
        Send them this link to choose a password. It works once, until {formatDateTime(notice.link.expires_at)}, and
        will not be shown again.
      </p>
      <p>
        <code class="secret" aria-label={`One-time link for ${notice.user.name}`}>
          {linkAddress(notice.link)}
        </code>
      </p>
    </div>
  );
}

type Choice = { id: number; label: string };

/** A choice of one record or none (organisation, directory person). */
function OptionalSelect({ id, value, choices, onChange }: {
  id: string;
  value: number | null;
  choices: Choice[];
  onChange: (value: number | null) => void;
}) {
  return (
    <select id={id} value={value ?? ""} onChange={(e) => onChange(Number(e.currentTarget.value) || null)}>
      <option value="">None</option>
      {choices.map((c) => (
        <option key={c.id} value={c.id}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <>
      <select id={id} value={value} aria-describedby={`${id}-help`} onChange={(e) => onChange(e.currentTarget.value as Role)}>
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {ACCOUNT_ROLE_LABELS[role]}
          </option>
        ))}
      </select>
      <p id={`${id}-help`} class="hint">
        {ACCOUNT_ROLE_LABELS[value]}: {ROLE_HELP[value]}.
      </p>
    </>
  );
}

type Draft = { name: string; email: string; role: Role; organisation_id: number | null; person_id: number | null };
const EMPTY: Draft = { name: "", email: "", role: "member", organisation_id: null, person_id: null };

function CreateUserForm({ directory, onCreated }: { directory: Directory; onCreated: (notice: Notice) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const emailError = fieldError(problem, "email") ?? (problem?.status === 409 ? problem.detail : null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const user = await unwrap(api.POST("/api/v1/users", { body: { ...draft, active: true } }));
      setDraft(EMPTY);
      if (user.password_link) onCreated({ user, link: user.password_link, reason: "created" });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card admin-form" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <p class="muted">They get a one-time link to choose their own password.</p>
      {problem && !emailError && <ErrorMessage problem={problem} />}
      <div class="form-grid">
        <div class="form-row">
          <label for="user-name">Name</label>
          <input id="user-name" required maxLength={200} value={draft.name} onInput={(e) => set("name", e.currentTarget.value)} />
        </div>
        <div class="form-row">
          <label for="user-email">E-mail address</label>
          <input
            id="user-email"
            type="email"
            required
            maxLength={254}
            autocomplete="off"
            aria-invalid={emailError ? "true" : undefined}
            aria-describedby={emailError ? "user-email-error" : undefined}
            value={draft.email}
            onInput={(e) => set("email", e.currentTarget.value)}
          />
          <FieldError id="user-email-error" message={emailError} />
        </div>
        <div class="form-row">
          <label for="user-role">Role</label>
          <RoleSelect id="user-role" value={draft.role} onChange={(role) => set("role", role)} />
        </div>
        <div class="form-row">
          <label for="user-organisation">Organisation</label>
          <OptionalSelect
            id="user-organisation"
            value={draft.organisation_id}
            choices={directory.organisations}
            onChange={(value) => set("organisation_id", value)}
          />
        </div>
        <div class="form-row">
          <label for="user-person">Person in the directory</label>
          <OptionalSelect
            id="user-person"
            value={draft.person_id}
            choices={directory.people}
            onChange={(value) => set("person_id", value)}
          />
          <p class="hint">Members see the partnerships this person belongs to.</p>
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Adding…" : "Add user"}
      </button>
    </form>
  );
}

type Edit = Pick<Draft, "role" | "organisation_id" | "person_id">;

function EditUser({ user, directory, onSaved, onCancel }: {
  user: User;
  directory: Directory;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [edit, setEdit] = useState<Edit>({ role: user.role, organisation_id: user.organisation_id, person_id: user.person_id });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const prefix = `edit-user-${user.id}`;

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/users/{user_id}", {
          params: { path: { user_id: user.id }, header: { "if-match": `"${user.version}"` } },
          body: edit,
        }),
      );
      onSaved();
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  }

  return (
    <form class="edit-user" onSubmit={save} aria-label={`Change ${user.name}`}>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-grid">
        <div class="form-row">
          <label for={`${prefix}-role`}>Role</label>
          <RoleSelect id={`${prefix}-role`} value={edit.role} onChange={(role) => setEdit((e) => ({ ...e, role }))} />
        </div>
        <div class="form-row">
          <label for={`${prefix}-organisation`}>Organisation</label>
          <OptionalSelect
            id={`${prefix}-organisation`}
            value={edit.organisation_id}
            choices={directory.organisations}
            onChange={(organisation_id) => setEdit((e) => ({ ...e, organisation_id }))}
          />
        </div>
        <div class="form-row">
          <label for={`${prefix}-person`}>Person in the directory</label>
          <OptionalSelect
            id={`${prefix}-person`}
            value={edit.person_id}
            choices={directory.people}
            onChange={(person_id) => setEdit((e) => ({ ...e, person_id }))}
          />
        </div>
      </div>
      <div class="button-row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save changes"}
        </button>
        <button type="button" class="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type Actions = {
  edit(user: User): void;
  reset(user: User): void;
  setActive(user: User, active: boolean): void;
};

function UserRow({ user, organisations, self, actions }: {
  user: User;
  organisations: Map<number, string>;
  self: boolean;
  actions: Actions;
}) {
  return (
    <tr class={user.active ? undefined : "inactive-row"}>
      <th scope="row">
        {user.name}
        {self && <span class="muted"> (you)</span>}
        <span class="cell-note">{user.email}</span>
      </th>
      <td>{ACCOUNT_ROLE_LABELS[user.role]}</td>
      <td>{user.organisation_id ? (organisations.get(user.organisation_id) ?? "—") : "—"}</td>
      <td>{user.last_login_at ? formatDateTime(user.last_login_at) : "never"}</td>
      <td>{user.active ? "Active" : "Deactivated"}</td>
      <td>
        {!self && (
          <div class="row-actions">
            <button type="button" class="button-secondary" onClick={() => actions.edit(user)}>
              Change <span class="visually-hidden">{user.name}</span>
            </button>
            {user.active && (
              <button type="button" class="button-secondary" onClick={() => actions.reset(user)}>
                Reset password <span class="visually-hidden">of {user.name}</span>
              </button>
            )}
            <button type="button" class="button-secondary" onClick={() => actions.setActive(user, !user.active)}>
              {user.active ? "Deactivate" : "Reactivate"} <span class="visually-hidden">{user.name}</span>
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** Administrators manage who may sign in: role, organisation, password links, deactivation. */
export function UsersPage() {
  useTitle("Users");
  const me = useMe();
  const [resource, reload] = useResource(loadUsers, []);
  const [editing, setEditing] = useState<number | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function act(call: () => Promise<unknown>) {
    setProblem(null);
    setNotice(null);
    try {
      await call();
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    }
  }

  const actions: Actions = {
    edit: (user) => setEditing(user.id),
    reset: (user) => {
      if (!window.confirm(`Reset the password of ${user.name}? Their current password stops working and they are signed out.`)) return;
      void act(async () => {
        const link = await unwrap(
          api.POST("/api/v1/users/{user_id}/password-reset", { params: { path: { user_id: user.id } } }),
        );
        setNotice({ user, link, reason: "reset" });
      });
    },
    setActive: (user, active) => {
      if (!active && !window.confirm(`Deactivate ${user.name}? They are signed out at once and cannot sign in.`)) return;
      const ifMatch = { "if-match": `"${user.version}"` };
      void act(() =>
        active
          ? unwrap(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: user.id }, header: ifMatch }, body: { active } }))
          : unwrap(api.DELETE("/api/v1/users/{user_id}", { params: { path: { user_id: user.id }, header: ifMatch } })),
      );
    },
  };

  return (
    <>
      <h1>Users</h1>
      <p>
        People who sign in to LSP Hub. Partner organisations and the county's data feed use <a href="/keys">API keys</a>{" "}
        instead.
      </p>
      {notice && <LinkNotice notice={notice} />}
      {problem && <ErrorMessage problem={problem} />}
      <Loadable resource={resource} label="the users" onRetry={reload}>
        {({ users, organisations, people }) => {
          const names = new Map(organisations.map((o) => [o.id, o.label]));
          return (
            <>
              <div class="table-scroll" tabIndex={0} role="region" aria-label="Users">
                <table class="users-table">
                  <TableHead columns={["Name and e-mail", "Role", "Organisation", "Last sign-in", "Status"]} actions />
                  <tbody>
                    {users.map((user) => (
                      <Fragment key={user.id}>
                        <UserRow user={user} organisations={names} self={user.id === me.id} actions={actions} />
                        {editing === user.id && (
                          <EditRow span={6}>
                            <EditUser
                              user={user}
                              directory={{ organisations, people }}
                              onCancel={() => setEditing(null)}
                              onSaved={() => {
                                setEditing(null);
                                reload();
                              }}
                            />
                          </EditRow>
                        )}
                      </Fragment>
                    ))}
                  </tbody>
                </table>
              </div>
              <CreateUserForm
                directory={{ organisations, people }}
                onCreated={(created) => {
                  setNotice(created);
                  reload();
                }}
              />
            </>
          );
        }}
      </Loadable>
    </>
  );
}
