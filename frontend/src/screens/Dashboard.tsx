import { api, unwrap } from "../api/client";
import type { Dashboard as DashboardData, DashboardMeeting, DashboardTask, MyPartnership } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { GovernanceList } from "../components/GovernanceList";
import { Loadable } from "../components/Loadable";
import { RagBadge } from "../components/RagBadge";
import { RagChart } from "../components/RagChart";
import { formatDate, formatDateTime } from "../lib/dates";
import { humanise, ROLE_LABELS } from "../lib/labels";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

type Names = Map<number, string>;

function MyPartnerships({ partnerships }: { partnerships: MyPartnership[] }) {
  if (partnerships.length === 0) return <p class="muted">You are not a member of any partnership.</p>;
  return (
    <ul class="link-list">
      {partnerships.map((p) => (
        <li key={p.id}>
          <a href={`/partnerships/${p.id}`}>{p.name}</a>{" "}
          <span class="muted">
            {humanise(p.kind)}
            {p.role ? ` · ${ROLE_LABELS[p.role]}` : ""}
            {p.status === "inactive" ? " · inactive" : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

function TaskList({ tasks, names, empty }: { tasks: DashboardData["overdue"]; names: Names; empty: string }) {
  if (tasks.total === 0) return <p class="muted">{empty}</p>;
  return (
    <>
      <ul class="task-list">
        {tasks.items.map((t: DashboardTask) => (
          <li key={t.id}>
            <a href={`/tasks/${t.id}`}>
              {t.ref} — {t.title}
            </a>
            <span class="task-list-meta">
              <RagBadge rag={t.rag} /> {names.get(t.partnership_id)} · deadline {formatDate(t.deadline)} · last
              update {formatDate(t.last_reported_on)}
              {t.lead_organisation ? ` · ${t.lead_organisation}` : ""}
            </span>
          </li>
        ))}
      </ul>
      {tasks.total > tasks.items.length && (
        <p class="muted small">
          The {tasks.items.length} most urgent of {tasks.total}.
        </p>
      )}
    </>
  );
}

function NextMeetings({ meetings, names }: { meetings: DashboardMeeting[]; names: Names }) {
  if (meetings.length === 0) return <p class="muted">No meetings scheduled.</p>;
  return (
    <ul class="link-list">
      {meetings.map((m) => (
        <li key={m.id}>
          <a href={`/meetings/${m.id}`}>{m.title}</a>
          <span class="muted">
            {" "}
            {names.get(m.partnership_id)} · {formatDateTime(m.starts_at)}
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
  const names: Names = new Map(data.partnerships.map((p) => [p.id, p.name]));
  const rows = data.rag_by_outcome.map((o) => ({
    key: `${o.partnership_id}-${o.outcome_id}`,
    label: `${o.code} ${o.title}`,
    counts: o.summary,
  }));
  return (
    <div class="dashboard-grid">
      <section class="card wide" aria-labelledby="mine-title">
        <h2 id="mine-title">My partnerships</h2>
        <MyPartnerships partnerships={data.partnerships} />
      </section>
      <section class="card wide" aria-labelledby="rag-title">
        <h2 id="rag-title">Task status by outcome</h2>
        {rows.length > 0 ? (
          <RagChart rows={rows} title={`RAG distribution as of ${formatDate(data.as_of)}`} />
        ) : (
          <p class="muted">No tasks in your partnerships yet.</p>
        )}
      </section>
      <section class="card" aria-labelledby="overdue-title">
        <h2 id="overdue-title">Overdue tasks ({data.overdue.total})</h2>
        <TaskList tasks={data.overdue} names={names} empty="Nothing overdue." />
      </section>
      <section class="card" aria-labelledby="stale-title">
        <h2 id="stale-title">Not updated this cycle ({data.stale.total})</h2>
        <TaskList tasks={data.stale} names={names} empty="Every task has a recent update." />
      </section>
      <section class="card" aria-labelledby="meetings-title">
        <h2 id="meetings-title">Next meetings</h2>
        <NextMeetings meetings={data.next_meetings} names={names} />
      </section>
      {data.governance_findings !== null && (
        <section class="card" aria-labelledby="governance-title">
          <h2 id="governance-title">Governance checks ({data.governance_findings})</h2>
          <GovernancePanel />
        </section>
      )}
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
      <Loadable resource={dashboard} label="dashboard" onRetry={reload}>
        {(data) => <Panels data={data} />}
      </Loadable>
    </>
  );
}
