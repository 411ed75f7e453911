import { useLocation, useRoute } from "preact-iso";
import { api, unwrap } from "../../api/client";
import type { MessageStatus, OutboxMessage, OutboxMessageBrief } from "../../api/types";
import { Loadable } from "../../components/Loadable";
import { TableHead } from "../../components/Table";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import "../../styles/admin.css";

const PAGE = 50;
const STATUSES: MessageStatus[] = ["queued", "sent", "failed", "suppressed"];
const STATUS_LABELS: Record<MessageStatus, string> = {
  queued: "Queued",
  sent: "Sent",
  failed: "Failed",
  suppressed: "Not sent (unsubscribed)",
};

const asStatus = (value: string | undefined): MessageStatus | null =>
  (STATUSES as string[]).includes(value ?? "") ? (value as MessageStatus) : null;

function StatusBadge({ status }: { status: MessageStatus }) {
  return <span class={`status status-${status}`}>{STATUS_LABELS[status]}</span>;
}

function MessageTable({ messages }: { messages: OutboxMessageBrief[] }) {
  if (messages.length === 0) return <p>No messages here.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Messages">
      <table>
        <TableHead columns={["Queued", "To", "Subject", "Status", "Attempts", "Error"]} />
        <tbody>
          {messages.map((m) => (
            <tr key={m.id}>
              <th scope="row" class="nowrap">
                {formatDateTime(m.created_at)}
                <span class="cell-note">#{m.id}</span>
              </th>
              <td class="url">{m.to_address}</td>
              <td>
                <a href={`/outbox/${m.id}`}>{m.subject}</a>
              </td>
              <td>
                <StatusBadge status={m.status} />
              </td>
              <td>{m.attempts}</td>
              <td class="url">{m.last_error ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Administrators: every e-mail queued, sent, failed or held back, newest first. */
export function OutboxPage() {
  useTitle("Outbox");
  const { query, route } = useLocation();
  const status = asStatus(query.status);
  const offset = Math.max(0, Number(query.offset ?? 0) || 0);
  const [page, reload] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/outbox-messages", {
          params: { query: { limit: PAGE, offset, ...(status ? { status } : {}) } },
        }),
      ),
    [status, offset],
  );
  const go = (next: { status?: MessageStatus | null; offset?: number }) => {
    const s = next.status === undefined ? status : next.status;
    const o = next.offset ?? 0;
    const params = new URLSearchParams();
    if (s) params.set("status", s);
    if (o) params.set("offset", String(o));
    route(`/outbox${params.size ? `?${params}` : ""}`);
  };
  return (
    <>
      <h1>Outbox</h1>
      <p>
        E-mail written by LSP Hub. <code>lsphub worker</code> sends queued messages through the SMTP
        server, or, without one, writes them as <code>.eml</code> files under <code>var/mail/</code>.
      </p>
      <div class="filters">
        <div class="form-row">
          <label for="outbox-status">Status</label>
          <select
            id="outbox-status"
            value={status ?? ""}
            onChange={(e) => go({ status: asStatus(e.currentTarget.value) })}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="button-secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      <Loadable resource={page} label="the outbox" onRetry={reload}>
        {(data) => (
          <>
            <p role="status">
              {data.total} message{data.total === 1 ? "" : "s"}
              {status ? ` ${STATUS_LABELS[status].toLowerCase()}` : ""}.
            </p>
            <MessageTable messages={data.items} />
            <nav aria-label="Pages" class="pager">
              {offset > 0 && (
                <button type="button" class="button-secondary" onClick={() => go({ offset: Math.max(0, offset - PAGE) })}>
                  Newer
                </button>
              )}
              {offset + PAGE < data.total && (
                <button type="button" class="button-secondary" onClick={() => go({ offset: offset + PAGE })}>
                  Older
                </button>
              )}
            </nav>
          </>
        )}
      </Loadable>
    </>
  );
}

function MessageView({ message }: { message: OutboxMessage }) {
  const rows: [string, string][] = [
    ["To", message.to_name ? `${message.to_name} <${message.to_address}>` : message.to_address],
    ["Category", message.category],
    ["Queued", formatDateTime(message.created_at)],
    ["Sent", message.sent_at ? formatDateTime(message.sent_at) : "—"],
    ["Attempts", String(message.attempts)],
    ["Last error", message.last_error ?? "—"],
    ["Message-ID", message.message_id],
    ["Unsubscribe link", message.unsubscribe_url ?? "— (a required notice)"],
  ];
  return (
    <>
      <p>
        <StatusBadge status={message.status} />
      </p>
      <dl class="card">
        {rows.map(([term, value]) => (
          <div key={term} class="form-row">
            <dt>{term}</dt>
            <dd class="url">{value}</dd>
          </div>
        ))}
      </dl>
      <h2>Text</h2>
      <pre class="message-body" tabIndex={0} aria-label="Text of the message">
        {message.text_body}
      </pre>
      {message.attachments.length > 0 && (
        <>
          <h2>Attachments</h2>
          <ul>
            {message.attachments.map((a) => (
              <li key={a.filename}>
                {a.filename} <span class="cell-note">({a.content_type})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>HTML version (source)</summary>
        <pre class="message-body" tabIndex={0} aria-label="HTML source of the message">
          {message.html_body}
        </pre>
      </details>
    </>
  );
}

export function OutboxMessagePage() {
  const { params } = useRoute();
  const id = Number(params.id);
  const [message, reload] = useResource(
    () => unwrap(api.GET("/api/v1/outbox-messages/{message_id}", { params: { path: { message_id: id } } })),
    [id],
  );
  const subject = message.status === "ready" ? message.data.subject : "Message";
  useTitle(subject);
  return (
    <>
      <p>
        <a href="/outbox">← Outbox</a>
      </p>
      <h1>{subject}</h1>
      <Loadable resource={message} label="the message" onRetry={reload}>
        {(data) => <MessageView message={data} />}
      </Loadable>
    </>
  );
}
