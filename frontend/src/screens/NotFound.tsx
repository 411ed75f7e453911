import { useLocation } from "preact-iso";
import { homePath } from "../auth/access";
import { useMe } from "../auth/AuthContext";
import { useTitle } from "../lib/useTitle";
import "../styles/admin.css";

/** Any address the app does not know. */
export function NotFound() {
  useTitle("Page not found");
  const me = useMe();
  const { path } = useLocation();
  return (
    <section class="card refusal" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. If you typed the address, check it; if you followed a link, the page
        may have moved.
      </p>
      <p>
        <a href={homePath(me.role)}>Go to your home page</a>
      </p>
    </section>
  );
}
