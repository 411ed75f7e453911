import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { countyOnly } from "./auth/access";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loadable";
import { AuditPage } from "./screens/AuditPage";
import { Dashboard } from "./screens/Dashboard";
import { ImportPage } from "./screens/ImportPage";
import { KeysPage } from "./screens/KeysPage";
import { LaaPage } from "./screens/LaaPage";
import { Login } from "./screens/Login";
import { MeetingPage } from "./screens/meeting/MeetingPage";
import { NotFound } from "./screens/NotFound";
import { PartnershipPage } from "./screens/partnership/PartnershipPage";
import { ReportPage } from "./screens/ReportPage";
import { TaskPage } from "./screens/TaskPage";

/** After client-side navigation, move focus to the new page so keyboard users start at the top. */
function focusMain() {
  document.getElementById("main")?.focus();
}

/** Any other address takes the county to its LAA screen (replacing the history entry). */
function ToLaa() {
  const { route } = useLocation();
  useEffect(() => route("/laa", true), []);
  return <Loading label="the LAA indicators" />;
}

/** The county reads LAA data and performance reports, nothing else (DESIGN §5). */
function CountyScreens() {
  return (
    <Router onRouteChange={focusMain}>
      <Route path="/laa" component={LaaPage} />
      <Route path="/partnerships/:id/report" component={ReportPage} />
      <Route default component={ToLaa} />
    </Router>
  );
}

function Screens() {
  const { me, restoring } = useAuth();
  if (restoring) return <Loading label="your session" />;
  if (!me) return <Login />;
  if (countyOnly(me.role)) return <CountyScreens />;
  return (
    <Router onRouteChange={focusMain}>
      <Route path="/" component={Dashboard} />
      <Route path="/partnerships/:id" component={PartnershipPage} />
      <Route path="/partnerships/:id/report" component={ReportPage} />
      <Route path="/tasks/:id" component={TaskPage} />
      <Route path="/meetings/:id" component={MeetingPage} />
      <Route path="/laa" component={LaaPage} />
      <Route path="/import" component={ImportPage} />
      <Route path="/keys" component={KeysPage} />
      <Route path="/audit" component={AuditPage} />
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
