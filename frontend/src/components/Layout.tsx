import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { homePath } from "../auth/access";
import { useAuth } from "../auth/AuthContext";

function NavLink({ href, children }: { href: string; children: ComponentChildren }) {
  const { path } = useLocation();
  const current = href === "/" ? path === "/" : path.startsWith(href);
  return (
    <a href={href} aria-current={current ? "page" : undefined}>
      {children}
    </a>
  );
}

/** The one search box, in the header: opens the search screen for the words typed. */
function SearchBox() {
  const { route, path, query } = useLocation();
  const [q, setQ] = useState(path === "/search" ? (query.q ?? "") : "");
  return (
    <form
      class="header-search"
      role="search"
      aria-label="Site"
      onSubmit={(e) => {
        e.preventDefault();
        const words = q.trim();
        if (words) route(`/search?q=${encodeURIComponent(words)}`);
      }}
    >
      <label for="header-search" class="visually-hidden">
        Search
      </label>
      <input
        id="header-search"
        type="search"
        placeholder="Search tasks, decisions, minutes…"
        value={q}
        onInput={(e) => setQ(e.currentTarget.value)}
      />
      <button type="submit" class="button-secondary">
        Search
      </button>
    </form>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { me, logout, may } = useAuth();
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <a class="brand" href={me ? homePath(me.role) : "/"}>
          LSP Hub
        </a>
        {me && (
          <nav aria-label="Main">
            {may("dashboard") && <NavLink href="/">Dashboard</NavLink>}
            {may("worklist") && <NavLink href="/my-tasks">My worklist</NavLink>}
            {may("laa") && <NavLink href="/laa">LAA dashboard</NavLink>}
            {may("reports") && <NavLink href="/reports">Reports</NavLink>}
            {may("import") && <NavLink href="/import">Import</NavLink>}
            {may("keys") && <NavLink href="/keys">API keys</NavLink>}
            {may("users") && <NavLink href="/users">Users</NavLink>}
            {may("webhooks") && <NavLink href="/webhooks">Webhooks</NavLink>}
            {may("audit") && <NavLink href="/audit">Audit trail</NavLink>}
            {may("governance") && <NavLink href="/governance">Governance</NavLink>}
            {may("outbox") && <NavLink href="/outbox">Outbox</NavLink>}
            {may("calendar") && me.person_id != null && <NavLink href="/calendar">My calendar</NavLink>}
          </nav>
        )}
        {me && may("search") && <SearchBox />}
        {me && (
          <div class="account">
            <span class="account-name">
              {me.name} <span class="role">({me.role})</span>
            </span>
            {may("notifications") && me.person_id !== null && (
              <a href="/settings/notifications">Notifications</a>
            )}
            <button type="button" class="button-secondary" onClick={() => void logout()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
