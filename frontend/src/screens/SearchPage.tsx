import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { Loadable } from "../components/Loadable";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

type Hit = components["schemas"]["SearchHit"];
type Kind = Hit["kind"];

export const KIND_LABELS: Record<Kind, string> = {
  task: "Task",
  action: "Action",
  outcome: "Outcome",
  decision: "Decision",
  minutes: "Meeting and minutes",
  paper: "Paper",
  person: "Person",
  organisation: "Organisation",
};

/** Where a result opens: the screen that shows it (people and organisations have none). */
export function hitHref(hit: Hit): string | null {
  switch (hit.kind) {
    case "task":
      return `/tasks/${hit.id}`;
    case "action":
      return hit.parent_id ? `/partnerships/${hit.parent_id}` : null;
    case "outcome":
      return hit.parent_id ? `/strategies/${hit.parent_id}/progress#progress-outcome-${hit.id}` : null;
    case "decision":
      return hit.parent_id ? `/meetings/${hit.parent_id}` : null;
    case "minutes":
      return `/meetings/${hit.id}`;
    case "paper":
      return "/reports";
    default:
      return null;
  }
}

function Snippet({ hit }: { hit: Hit }) {
  if (hit.snippet.length === 0) return null;
  return (
    <p class="search-snippet">
      {hit.snippet.map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </p>
  );
}

export function SearchPage() {
  const { query, route } = useLocation();
  const q = (query.q ?? "").trim();
  const kind = (query.kind ?? "") as Kind | "";
  const [results, reload] = useResource(
    () =>
      q
        ? unwrap(api.GET("/api/v1/search", { params: { query: { q, kind: kind || undefined, limit: 50 } } }))
        : Promise.resolve(null),
    [q, kind],
  );
  useTitle(q ? `Search: ${q}` : "Search");
  const go = (nextQ: string, nextKind: string) => {
    const params = new URLSearchParams();
    if (nextQ) params.set("q", nextQ);
    if (nextKind) params.set("kind", nextKind);
    route(`/search?${params.toString()}`);
  };
  return (
    <>
      <header class="page-head">
        <h1>Search</h1>
      </header>
      <form
        class="card search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          go(String(data.get("q") ?? "").trim(), String(data.get("kind") ?? ""));
        }}
      >
        <div class="form-row">
          <label for="search-page-q">Words to find</label>
          <input id="search-page-q" name="q" type="search" defaultValue={q} key={q} />
        </div>
        <div class="form-row">
          <label for="search-page-kind">Only</label>
          <select id="search-page-kind" name="kind" value={kind} onChange={(e) => go(q, e.currentTarget.value)}>
            <option value="">Everything</option>
            {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <Loadable resource={results} label="results" onRetry={reload}>
        {(data) =>
          data === null ? (
            <p class="muted">Type words to find tasks, actions, outcomes, decisions, minutes, papers, people and organisations.</p>
          ) : (
            <section aria-labelledby="search-results-title">
              <h2 id="search-results-title" aria-live="polite">
                {data.items.length === 0
                  ? `Nothing found for “${data.query}”`
                  : `${data.items.length}${data.items.length === 50 ? "+" : ""} results for “${data.query}”`}
              </h2>
              <ol class="search-results">
                {data.items.map((hit) => {
                  const href = hitHref(hit);
                  return (
                    <li key={`${hit.kind}-${hit.id}`} class="search-result">
                      <p class="muted small">{KIND_LABELS[hit.kind]}</p>
                      <h3>{href ? <a href={href}>{hit.title}</a> : hit.title}</h3>
                      <Snippet hit={hit} />
                    </li>
                  );
                })}
              </ol>
            </section>
          )
        }
      </Loadable>
    </>
  );
}
