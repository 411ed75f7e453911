import { LocationProvider, Route, Router } from "preact-iso";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loadable";
import { Dashboard } from "./screens/Dashboard";
import { ImportPage } from "./screens/ImportPage";
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

function Screens() {
  const { me, restoring } = useAuth();
  if (restoring) return <Loading label="your session" />;
  if (!me) return <Login />;
  return (
    <Router onRouteChange={focusMain}>
      <Route path="/" component={Dashboard} />
      <Route path="/partnerships/:id" component={PartnershipPage} />
      <Route path="/partnerships/:id/report" component={ReportPage} />
      <Route path="/tasks/:id" component={TaskPage} />
      <Route path="/meetings/:id" component={MeetingPage} />
      <Route path="/laa" component={LaaPage} />
      <Route path="/import" component={ImportPage} />
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
