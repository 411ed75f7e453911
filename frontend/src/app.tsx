import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { homePath } from "./auth/access";
import { AuthProvider, useAuth, useMe } from "./auth/AuthContext";
import { only } from "./components/Guard";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loadable";
import { AuditPage } from "./screens/AuditPage";
import { Dashboard } from "./screens/Dashboard";
import { GovernancePage } from "./screens/GovernancePage";
import { ImportPage } from "./screens/ImportPage";
import { KeysPage } from "./screens/KeysPage";
import { LaaPage } from "./screens/LaaPage";
import { Login } from "./screens/Login";
import { AgendaPackPage } from "./screens/meeting/AgendaPack";
import { MeetingPage } from "./screens/meeting/MeetingPage";
import { CalendarPage } from "./screens/CalendarPage";
import { EditMeetingPage, NewMeetingPage } from "./screens/meeting/MeetingForm";
import { MinutesPage } from "./screens/meeting/MinutesPage";
import { MyTasksPage } from "./screens/MyTasksPage";
import { NotFound } from "./screens/NotFound";
import { PartnershipPage } from "./screens/partnership/PartnershipPage";
import { ReportPage } from "./screens/ReportPage";
import { ReportsPage } from "./screens/ReportsPage";
import { SearchPage } from "./screens/SearchPage";
import { SetPasswordPage } from "./screens/SetPasswordPage";
import { StrategyProgressPage } from "./screens/StrategyProgressPage";
import { TaskPage } from "./screens/TaskPage";
import { NotificationsPage } from "./screens/NotificationsPage";
import { OutboxMessagePage, OutboxPage } from "./screens/admin/OutboxPage";
import { UsersPage } from "./screens/admin/UsersPage";
import { WebhookPage } from "./screens/admin/WebhookPage";
import { WebhooksPage } from "./screens/admin/WebhooksPage";

/** After client-side navigation, move focus to the new page so keyboard users start at the top. */
function focusMain() {
  document.getElementById("main")?.focus();
}

/** Principals without a dashboard (the county) start on their own home screen instead. */
function Home() {
  const me = useMe();
  const { may } = useAuth();
  const { route } = useLocation();
  const home = homePath(me.role);
  useEffect(() => {
    if (!may("dashboard")) route(home, true);
  }, [home]);
  return may("dashboard") ? <Dashboard /> : <Loading label="your home screen" />;
}

// Every screen behind its access rule (auth/access.ts): a typed address for a screen one may
// not use shows the "no access" page.
const guarded = {
  worklist: only("worklist", MyTasksPage),
  partnership: only("partnership", PartnershipPage),
  report: only("report", ReportPage),
  reports: only("reports", ReportsPage),
  strategy: only("strategy", StrategyProgressPage),
  task: only("task", TaskPage),
  meeting: only("meeting", MeetingPage),
  pack: only("pack", AgendaPackPage),
  calendar: only("calendar", CalendarPage),
  minutes: only("meeting", MinutesPage),
  newMeeting: only("meetingForm", NewMeetingPage),
  editMeeting: only("meetingForm", EditMeetingPage),
  laa: only("laa", LaaPage),
  import: only("import", ImportPage),
  keys: only("keys", KeysPage),
  users: only("users", UsersPage),
  webhooks: only("webhooks", WebhooksPage),
  webhook: only("webhooks", WebhookPage),
  audit: only("audit", AuditPage),
  governance: only("governance", GovernancePage),
  search: only("search", SearchPage),
  outbox: only("outbox", OutboxPage),
  outboxMessage: only("outbox", OutboxMessagePage),
  notifications: only("notifications", NotificationsPage),
};

function Screens() {
  const { me, restoring } = useAuth();
  const { path } = useLocation();
  // A one-time link works signed out (it is how a new user gets a password).
  if (path === "/set-password") return <SetPasswordPage />;
  if (restoring) return <Loading label="your session" />;
  if (!me) return <Login />;
  return (
    <Router onRouteChange={focusMain}>
      <Route path="/" component={Home} />
      <Route path="/my-tasks" component={guarded.worklist} />
      <Route path="/partnerships/:id" component={guarded.partnership} />
      <Route path="/partnerships/:id/report" component={guarded.report} />
      <Route path="/partnerships/:id/governance" component={guarded.governance} />
      <Route path="/governance" component={guarded.governance} />
      <Route path="/search" component={guarded.search} />
      <Route path="/reports" component={guarded.reports} />
      <Route path="/strategies/:id/progress" component={guarded.strategy} />
      <Route path="/tasks/:id" component={guarded.task} />
      <Route path="/meetings/:id" component={guarded.meeting} />
      <Route path="/meetings/:id/pack" component={guarded.pack} />
      <Route path="/calendar" component={guarded.calendar} />
      <Route path="/meetings/:id/minutes" component={guarded.minutes} />
      <Route path="/meetings/:id/edit" component={guarded.editMeeting} />
      <Route path="/partnerships/:id/meetings/new" component={guarded.newMeeting} />
      <Route path="/laa" component={guarded.laa} />
      <Route path="/import" component={guarded.import} />
      <Route path="/keys" component={guarded.keys} />
      <Route path="/users" component={guarded.users} />
      <Route path="/webhooks" component={guarded.webhooks} />
      <Route path="/webhooks/:id" component={guarded.webhook} />
      <Route path="/audit" component={guarded.audit} />
      <Route path="/outbox" component={guarded.outbox} />
      <Route path="/outbox/:id" component={guarded.outboxMessage} />
      <Route path="/settings/notifications" component={guarded.notifications} />
      <Route default component={NotFound} />
    </Router>
  );
}

export function App() {
  return (
    <LocationProvider>
      <AuthProvider>
        <Layout>
          <Screens />
        </Layout>
      </AuthProvider>
    </LocationProvider>
  );
}
