import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { Loadable } from "../components/Loadable";
import {
  AUDIT_PAGE_SIZE,
  auditHref,
  auditQuery,
  changedFields,
  filtersFromQuery,
  showValue,
  type AuditFilters,
} from "../lib/audit";
import { formatDateTime } from "../lib/dates";
import { humanise } from "../lib/labels";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import "../styles/audit.css";

type AuditEvent = components["schemas"]["AuditEventRead"];
type AuditFacets = components["schemas"]["AuditFacets"];
type EventPage = components["schemas"]["Page_AuditEventRead_"];

/** Records with a page of their own, to go to from an event. */
const OBJECT_PAGES: Record<string, string> = {
  task: "/tasks/",
  meeting: "/meetings/",
  partnership: "/partnerships/",
};

const loadFacets = () => unwrap(api.GET("/api/v1/audit-events/facets"));

const loadEvents = (filters: AuditFilters) =>
  unwrap(api.GET("/api/v1/audit-events", { params: { query: auditQuery(filters) } }));

/** A choice of the values the trail holds, keeping the current one even if it holds none. */
function options(values: { value: string; label: string }[], current: string) {
  const all = current && !values.some((v) => v.value === current) ? [{ value: current, label: current }, ...values] : values;
  return all.map((v) => (
    <option key={v.value} value={v.value}>
      {v.label}
    </option>
  ));
}

function FilterForm({ filters, address, facets, onApply }: {
  filters: AuditFilters;
  address: string;
  facets: AuditFacets | null;
  onApply: (filters: AuditFilters) => void;
}) {
  const [draft, setDraft] = useState(filters);
  // The address this form applied last. Arriving there, the draft already says so and may
  // hold choices made since; any other address (back, a link) starts the draft afresh.
  const applied = useRef(address);
  useEffect(() => {
    if (address !== applied.current) setDraft(filters);
    applied.current = address;
  }, [address]);
  const set = (key: keyof AuditFilters) => (event: Event) =>
    setDraft((d) => ({ ...d, [key]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value }));
  const plain = (values: string[] | undefined) => (values ?? []).map((v) => ({ value: v, label: humanise(v) }));
  const principals = (facets?.principals ?? []).map((p) => ({
    value: p.principal,
    label: p.name === p.principal ? p.name : `${p.name} (${p.principal})`,
  }));

  return (
    <form
      class="card audit-filters"
      aria-label="Filter the audit trail"
      onSubmit={(event) => {
        event.preventDefault();
        const chosen = { ...draft, page: 1 };
        applied.current = auditHref(chosen);
        onApply(chosen);
      }}
    >
      <div class="form-row">
        <label for="audit-resource">Record type</label>
        <select id="audit-resource" value={draft.resource} onChange={set("resource")}>
          <option value="">Any</option>
          {options(plain(facets?.resources), draft.resource)}
        </select>
      </div>
      <div class="form-row">
        <label for="audit-id">Record id</label>
        <input id="audit-id" inputMode="numeric" maxLength={60} value={draft.resource_id} onInput={set("resource_id")} />
      </div>
      <div class="form-row">
        <label for="audit-principal">Who</label>
        <select id="audit-principal" value={draft.principal} onChange={set("principal")}>
          <option value="">Anyone</option>
          {options(principals, draft.principal)}
        </select>
      </div>
      <div class="form-row">
        <label for="audit-action">Action</label>
        <select id="audit-action" value={draft.action} onChange={set("action")}>
          <option value="">Any</option>
          {options(plain(facets?.actions), draft.action)}
        </select>
      </div>
      <div class="form-row">
        <label for="audit-from">From</label>
        <input id="audit-from" type="date" value={draft.from} onInput={set("from")} />
      </div>
      <div class="form-row">
        <label for="audit-to">To</label>
        <input id="audit-to" type="date" value={draft.to} onInput={set("to")} />
      </div>
      <div class="audit-filter-actions">
        <button type="submit">Show events</button>
        <a href="/audit">Clear filters</a>
      </div>
    </form>
  );
}

function Diff({ event }: { event: AuditEvent }) {
  const changes = changedFields(event.before, event.after);
  if (changes.length === 0) return <p class="muted">No field values were recorded.</p>;
  return (
    <table class="audit-diff">
      <caption class="visually-hidden">
        Fields changed by this event, before and after
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr key={change.field}>
            <th scope="row">{humanise(change.field)}</th>
            <td>{event.before ? <Value value={change.before} tag="del" /> : <span class="muted">—</span>}</td>
            <td>{event.after ? <Value value={change.after} tag="ins" /> : <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Value({ value, tag: Tag }: { value: unknown; tag: "del" | "ins" }) {
  const text = showValue(value);
  return text ? <Tag>{text}</Tag> : <span class="muted">(empty)</span>;
}

function EventCard({ event }: { event: AuditEvent }) {
  const record = `${humanise(event.resource).toLowerCase()}${event.resource_id ? ` ${event.resource_id}` : ""}`;
  const page = OBJECT_PAGES[event.resource];
  return (
    <article class="card audit-event" aria-labelledby={`audit-event-${event.id}`}>
      <h2 id={`audit-event-${event.id}`}>
        {humanise(event.action)} {record}
      </h2>
      <p class="muted">
        <time dateTime={event.at}>{formatDateTime(event.at)}</time> · by <strong>{event.principal_name}</strong>
        {event.principal_name !== event.principal && <> ({event.principal})</>}
        {page && event.resource_id && (
          <>
            {" · "}
            <a href={`${page}${event.resource_id}`}>Open this {humanise(event.resource).toLowerCase()}</a>
          </>
        )}
      </p>
      <Diff event={event} />
      <p class="audit-chain muted small">
        Chain entry {event.seq} · hash <code title={event.hash}>{event.hash.slice(0, 12)}…</code>
        {event.request_id && (
          <>
            {" · request "}
            <code>{event.request_id}</code>
          </>
        )}
      </p>
    </article>
  );
}

function Results({ page, filters, takeFocus, onShown }: {
  page: EventPage;
  filters: AuditFilters;
  takeFocus: boolean;
  onShown: () => void;
}) {
  useEffect(() => {
    if (takeFocus) document.getElementById("audit-results")?.focus();
    onShown();
  }, [page]);
  const pages = Math.max(1, Math.ceil(page.total / AUDIT_PAGE_SIZE));
  return (
    <>
      <p role="status" class="audit-summary" id="audit-results" tabIndex={-1}>
        {page.total === 0
          ? "No events match these filters."
          : `${page.total} ${page.total === 1 ? "event" : "events"}, newest first${pages > 1 ? ` · page ${filters.page} of ${pages}` : ""}`}
      </p>
      <ol class="audit-events">
        {page.items.map((event) => (
          <li key={event.id}>
            <EventCard event={event} />
          </li>
        ))}
      </ol>
      {pages > 1 && (
        <nav class="audit-pager" aria-label="Pages of events">
          {filters.page > 1 && (
            <a href={auditHref({ ...filters, page: filters.page - 1 })} rel="prev">
              Newer events
            </a>
          )}
          {filters.page < pages && (
            <a href={auditHref({ ...filters, page: filters.page + 1 })} rel="next">
              Older events
            </a>
          )}
        </nav>
      )}
    </>
  );
}

/** Administrators: who changed what and when, each change as before and after. */
export function AuditPage() {
  useTitle("Audit trail");
  const { query, route } = useLocation();
  const filters = filtersFromQuery(query);
  const address = auditHref(filters);
  const [facets] = useResource(loadFacets, []);
  const [events, reload] = useResource(() => loadEvents(filters), [address]);
  // The address whose results were shown last: other filters or another page move the focus
  // to the new results (the link or button used may be gone), not to the top of the page.
  const shown = useRef(address);
  return (
    <>
      <h1>Audit trail</h1>
      <p>
        Every change, newest first. Each entry carries a SHA-256 hash of its content and of the entry before it, so
        an entry altered or removed outside the service breaks the chain (<code>lsphub audit verify</code> finds it).
      </p>
      <FilterForm
        filters={filters}
        address={address}
        facets={facets.status === "ready" ? facets.data : null}
        onApply={(chosen) => route(auditHref(chosen))}
      />
      <Loadable resource={events} label="the audit trail" onRetry={reload}>
        {(page) => (
          <Results
            page={page}
            filters={filters}
            takeFocus={shown.current !== address}
            onShown={() => (shown.current = address)}
          />
        )}
      </Loadable>
    </>
  );
}
