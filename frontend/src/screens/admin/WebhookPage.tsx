import { useLocation, useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { DeliveryStatus, Webhook, WebhookDelivery } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { TableHead } from "../../components/Table";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import { DeliveryStatusBadge, WebhookStatus } from "./webhookParts";
import "../../styles/admin.css";

const PAGE = 50;
const STATUSES: DeliveryStatus[] = ["failed", "pending", "delivered"];

const asStatus = (value: string | undefined): DeliveryStatus | null =>
  (STATUSES as string[]).includes(value ?? "") ? (value as DeliveryStatus) : null;

async function loadWebhook(id: number, status: DeliveryStatus | null, offset: number) {
  const path = { item_id: id };
  const [hook, page, failed] = await Promise.all([
    unwrap(api.GET("/api/v1/webhooks/{item_id}", { params: { path } })),
    unwrap(
      api.GET("/api/v1/webhooks/{item_id}/deliveries", {
        params: { path, query: { limit: PAGE, offset, ...(status ? { status } : {}) } },
      }),
    ),
    unwrap(api.GET("/api/v1/webhooks/{item_id}/deliveries", { params: { path, query: { status: "failed", limit: 1 } } })),
  ]);
  return { hook, page, failed: failed.total };
}

function nextTry(delivery: WebhookDelivery, hook: Webhook): string {
  if (delivery.status !== "pending") return "—";
  return hook.active ? formatDateTime(delivery.next_attempt_at) : "when resumed";
}

function DeliveryTable({ hook, deliveries, onRedeliver }: {
  hook: Webhook;
  deliveries: WebhookDelivery[];
  onRedeliver: (delivery: WebhookDelivery) => void;
}) {
  if (deliveries.length === 0) return <p>No deliveries here.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Deliveries">
      <table class="deliveries">
        <TableHead columns={["Queued", "Event", "Status", "Attempts", "Next try", "Response", "Error"]} actions />
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} id={`delivery-${d.id}`}>
              <th scope="row" class="nowrap">
                {formatDateTime(d.created_at)}
                <span class="cell-note">#{d.id}</span>
              </th>
              <td>
                <code>{d.event}</code>
              </td>
              <td>
                <DeliveryStatusBadge status={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{nextTry(d, hook)}</td>
              <td>{d.last_status_code ?? "—"}</td>
              <td class="url">{d.last_error ?? "—"}</td>
              <td>
                {d.status !== "pending" && (
                  <button type="button" class="button-secondary" onClick={() => onRedeliver(d)}>
                    Redeliver <span class="visually-hidden">delivery {d.id}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One webhook's delivery log: what was sent, what failed and why; pause, resume, redeliver. */
export function WebhookPage() {
  const { params } = useRoute();
  const { query, path, route } = useLocation();
  const id = Number(params.id);
  const status = asStatus(query.status);
  const offset = Math.max(0, Number(query.offset) || 0);
  useTitle("Webhook deliveries");
  const [resource, reload] = useResource(() => loadWebhook(id, status, offset), [id, status, offset]);
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [chosen, setChosen] = useState<string>(status ?? "");
  useEffect(() => setChosen(status ?? ""), [status]);

  async function act(call: () => Promise<string>) {
    setProblem(null);
    setMessage(null);
    try {
      setMessage(await call());
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    }
  }

  const pathParams = { path: { item_id: id } };
  const setActive = (hook: Webhook, active: boolean) =>
    act(async () => {
      await unwrap(
        api.PATCH("/api/v1/webhooks/{item_id}", {
          params: { ...pathParams, header: { "if-match": `"${hook.version}"` } },
          body: { active },
        }),
      );
      return active ? "Resumed: queued deliveries go out on the worker's next pass." : "Paused: deliveries wait until it is resumed.";
    });
  const redeliverFailed = () =>
    act(async () => {
      const done = await unwrap(
        api.POST("/api/v1/webhooks/{item_id}/deliveries/redeliver-failed", { params: pathParams }),
      );
      return `${done.queued} failed ${done.queued === 1 ? "delivery" : "deliveries"} queued again.`;
    });
  const redeliver = (delivery: WebhookDelivery) =>
    act(async () => {
      await unwrap(
        api.POST("/api/v1/webhooks/{item_id}/deliveries/{delivery_id}/redeliver", {
          params: { path: { item_id: id, delivery_id: delivery.id } },
        }),
      );
      return `Delivery ${delivery.id} queued again.`;
    });
  const filterTo = (event: Event) => {
    event.preventDefault();
    route(chosen ? `${path}?status=${chosen}` : path);
  };
  const pageLink = (to: number) => `${path}?${new URLSearchParams({ ...(status ? { status } : {}), offset: String(to) })}`;

  return (
    <>
      <p class="breadcrumb">
        <a href="/webhooks">Webhooks</a>
      </p>
      <h1>Webhook deliveries</h1>
      {message && (
        <p class="alert alert-info" role="status">
          {message}
        </p>
      )}
      {problem && <ErrorMessage problem={problem} />}
      <Loadable resource={resource} label="the deliveries" onRetry={reload}>
        {({ hook, page, failed }) => (
          <>
            <section class="card" aria-labelledby="webhook-title">
              <h2 id="webhook-title" class="url">
                {hook.url}
              </h2>
              <dl class="facts">
                <dt>Status</dt>
                <dd>
                  <WebhookStatus active={hook.active} />
                </dd>
                <dt>Events</dt>
                <dd>{hook.events.join(", ")}</dd>
                {hook.description && (
                  <>
                    <dt>Description</dt>
                    <dd>{hook.description}</dd>
                  </>
                )}
              </dl>
              <div class="button-row">
                <button type="button" onClick={() => void setActive(hook, !hook.active)}>
                  {hook.active ? "Pause" : "Resume"}
                </button>
                <button type="button" class="button-secondary" disabled={failed === 0} onClick={() => void redeliverFailed()}>
                  Redeliver all failed ({failed})
                </button>
              </div>
            </section>
            <form class="filters" onSubmit={filterTo}>
              <div class="form-row">
                <label for="delivery-status">Show</label>
                <select id="delivery-status" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
                  <option value="">All deliveries</option>
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {s.charAt(0).toUpperCase() + s.slice(1)} only
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" class="button-secondary">
                Apply
              </button>
            </form>
            <p class="muted">
              {page.total === 0
                ? "Nothing has been queued for it yet."
                : `Deliveries ${offset + 1}–${offset + page.items.length} of ${page.total}, newest first.`}
            </p>
            <DeliveryTable hook={hook} deliveries={page.items} onRedeliver={(d) => void redeliver(d)} />
            <nav class="pager" aria-label="Pages of deliveries">
              {offset > 0 && <a href={pageLink(Math.max(0, offset - PAGE))}>Newer deliveries</a>}
              {offset + PAGE < page.total && <a href={pageLink(offset + PAGE)}>Older deliveries</a>}
            </nav>
          </>
        )}
      </Loadable>
    </>
  );
}
