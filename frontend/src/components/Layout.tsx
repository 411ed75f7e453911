import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { countyOnly, homePath } from "../auth/access";
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

export function Layout({ children }: { children: ComponentChildren }) {
  const { me, logout, can } = useAuth();
  const county = me !== null && countyOnly(me.role);
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
            {!county && <NavLink href="/">Dashboard</NavLink>}
            {can("admin", "officer", "county") && <NavLink href="/laa">LAA indicators</NavLink>}
            {can("admin", "officer") && <NavLink href="/import">Import</NavLink>}
            {can("admin", "officer") && <NavLink href="/keys">API keys</NavLink>}
            {can("admin") && <NavLink href="/audit">Audit trail</NavLink>}
          </nav>
        )}
        {me && (
          <div class="account">
            <span class="account-name">
              {me.name} <span class="role">({me.role})</span>
            </span>
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
