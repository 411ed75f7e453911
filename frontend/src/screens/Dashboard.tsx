import { api, unwrap } from "../api/client";
import type { Dashboard as DashboardData, DashboardMeeting, DashboardTask } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { GovernanceList } from "../components/GovernanceList";
import { Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { RagChart } from "../components/RagChart";
import { formatDate, formatDateTime } from "../lib/dates";
import { roleLabel } from "../lib/labels";
import { MAX_PAGE } from "../lib/directory";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

function MyPartnerships() {
  const me = useMe();
  const [all] = useResource(
    () =>
      me.memberships.length > 0
        ? Promise.resolve([])
        : unwrap(api.GET("/api/v1/partnerships", { params: { query: { status: "active", limit: MAX_PAGE } } })).then(
            (page) => page.items,
          ),
    [me.id],
  );
  if (me.memberships.length > 0) {
    return (
      <ul class="link-list">
        {me.memberships.map((m) => (
          <li key={m.id}>
            <a href={`/partnerships/${m.partnership_id}`}>{m.partnership_name}</a>{" "}
            <span class="muted">{roleLabel(m.role)}</span>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <Loadable resource={all} label="partnerships">
      {(partnerships) => (
        <ul class="link-list">
          {partnerships.map((p) => (
            <li key={p.id}>
              <a href={`/partnerships/${p.id}`}>{p.name}</a>
            </li>
          ))}
        </ul>
      )}
    </Loadable>
  );
}

function TaskList({ tasks, empty }: { tasks: DashboardTask[]; empty: string }) {
  if (tasks.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="task-list">
      {tasks.map((t) => (
        <li key={t.id}>
          <a href={`/tasks/${t.id}`}>
            {t.action_ref}
            {t.ref} — {t.title}
          </a>
          <span class="task-list-meta">
            <RagBadge rag={t.rag} /> {t.partnership_name} · deadline {formatDate(t.deadline)} · last
            update {formatDate(t.last_reported_on)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function NextMeetings({ meetings }: { meetings: DashboardMeeting[] }) {
  if (meetings.length === 0) return <p class="muted">No meetings scheduled.</p>;
  return (
    <ul class="link-list">
      {meetings.map((m) => (
        <li key={m.id}>
          <a href={`/meetings/${m.id}`}>{m.title}</a>
          <span class="muted">
            {" "}
            {m.partnership_name} · {formatDateTime(m.starts_at)}
            {m.location ? ` · ${m.location}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Findings across every partnership the user may see (computed by the API, never stored). */
function GovernancePanel() {
  const [governance, reload] = useResource(() => unwrap(api.GET("/api/v1/governance")), []);
  return (
    <Loadable resource={governance} label="governance checks" onRetry={reload}>
      {(report) => <GovernanceList findings={report.findings} showPartnership />}
    </Loadable>
  );
}

function Panels({ data }: { data: DashboardData }) {
  const rows = data.rag_by_outcome.map((o) => ({
    key: `${o.partnership_id}-${o.outcome_id}`,
    label: `${o.code} ${o.title}`,
    counts: o,
  }));
  return (
    <div class="dashboard-grid">
      <section class="card wide" aria-labelledby="rag-title">
        <h2 id="rag-title">Task status by outcome</h2>
        {rows.length > 0 ? (
          <RagChart rows={rows} title={`RAG distribution as of ${formatDate(data.as_of)}`} />
        ) : (
          <p class="muted">No tasks in your partnerships yet.</p>
        )}
      </section>
      <section class="card" aria-labelledby="overdue-title">
        <h2 id="overdue-title">Overdue tasks ({data.overdue_tasks.length})</h2>
        <TaskList tasks={data.overdue_tasks} empty="Nothing overdue." />
      </section>
      <section class="card" aria-labelledby="stale-title">
        <h2 id="stale-title">Not updated this cycle ({data.stale_tasks.length})</h2>
        <TaskList tasks={data.stale_tasks} empty="Every task has a recent update." />
      </section>
      <section class="card" aria-labelledby="meetings-title">
        <h2 id="meetings-title">Next meetings</h2>
        <NextMeetings meetings={data.next_meetings} />
      </section>
      <section class="card" aria-labelledby="governance-title">
        <h2 id="governance-title">Governance checks</h2>
        <GovernancePanel />
      </section>
    </div>
  );
}

export function Dashboard() {
  useTitle("Dashboard");
  const me = useMe();
  const [dashboard, reload] = useResource(() => unwrap(api.GET("/api/v1/dashboard")), [me.id]);
  return (
    <>
      <h1>Dashboard</h1>
      <section class="card" aria-labelledby="mine-title">
        <h2 id="mine-title">{me.memberships.length > 0 ? "My partnerships" : "Partnerships"}</h2>
        <MyPartnerships />
      </section>
      <Loadable resource={dashboard} label="dashboard" onRetry={reload}>
        {(data) => <Panels data={data} />}
      </Loadable>
    </>
  );
}
