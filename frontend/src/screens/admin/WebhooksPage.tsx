import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, fieldError, type Problem } from "../../api/problem";
import type { Webhook, WebhookEvent } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { EditRow, TableHead } from "../../components/Table";
import { listAll, MAX_PAGE } from "../../lib/directory";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import { FieldError } from "../../components/FieldError";
import { SecretNotice, WebhookStatus, type Secret } from "./webhookParts";
import "../../styles/admin.css";

/** Every event a webhook can subscribe to, with what it announces. */
export const EVENTS: { event: WebhookEvent; label: string }[] = [
  { event: "status_update.created", label: "A task's status is updated" },
  { event: "measurement.created", label: "An indicator measurement is recorded" },
  { event: "meeting.updated", label: "A meeting is changed" },
];

type Draft = { url: string; description: string; events: WebhookEvent[]; active: boolean };

const draftOf = (hook: Webhook | null): Draft =>
  hook
    ? {
        url: hook.url,
        description: hook.description ?? "",
        events: hook.events as WebhookEvent[],
        active: hook.active,
      }
    : { url: "", description: "", events: [], active: true };

function WebhookForm({ hook, onSaved, onCancel }: {
  hook: Webhook | null;
  onSaved: (secret: Secret | null) => void;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(hook));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const prefix = hook ? `hook-${hook.id}` : "hook-new";
  const urlError = fieldError(problem, "url");
  const eventsError = fieldError(problem, "events");
  const toggle = (event: WebhookEvent, on: boolean) =>
    setDraft((d) => ({ ...d, events: on ? [...d.events, event] : d.events.filter((e) => e !== event) }));

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const body = { url: draft.url.trim(), description: draft.description.trim() || null, events: draft.events };
    try {
      if (hook) {
        await unwrap(
          api.PATCH("/api/v1/webhooks/{item_id}", {
            params: { path: { item_id: hook.id }, header: { "if-match": `"${hook.version}"` } },
            body,
          }),
        );
        onSaved(null);
      } else {
        const created = await unwrap(api.POST("/api/v1/webhooks", { body: { ...body, active: draft.active } }));
        setDraft(draftOf(null));
        onSaved({ url: created.url, secret: created.secret, reason: "created" });
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  const shownElsewhere = urlError || eventsError;
  return (
    <form class={hook ? "edit-webhook" : "card admin-form"} onSubmit={submit} aria-labelledby={`${prefix}-title`}>
      <h2 id={`${prefix}-title`} class={hook ? "visually-hidden" : undefined}>
        {hook ? `Change the webhook to ${hook.url}` : "Add a webhook"}
      </h2>
      {!hook && <p class="muted">A signing secret is generated for it and shown once.</p>}
      {problem && !shownElsewhere && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for={`${prefix}-url`}>Receiver URL</label>
        <input
          id={`${prefix}-url`}
          type="url"
          required
          maxLength={500}
          placeholder="https://"
          aria-invalid={urlError ? "true" : undefined}
          aria-describedby={urlError ? `${prefix}-url-error` : undefined}
          value={draft.url}
          onInput={(e) => setDraft((d) => ({ ...d, url: e.currentTarget.value }))}
        />
        <FieldError id={`${prefix}-url-error`} message={urlError} />
      </div>
      <div class="form-row">
        <label for={`${prefix}-description`}>Description</label>
        <input
          id={`${prefix}-description`}
          maxLength={300}
          value={draft.description}
          onInput={(e) => setDraft((d) => ({ ...d, description: e.currentTarget.value }))}
        />
      </div>
      <fieldset aria-describedby={eventsError ? `${prefix}-events-error` : undefined}>
        <legend>Send these events</legend>
        {EVENTS.map(({ event, label }) => (
          <label key={event} class="checkbox">
            <input
              type="checkbox"
              checked={draft.events.includes(event)}
              onChange={(e) => toggle(event, e.currentTarget.checked)}
            />
            {label} <code>{event}</code>
          </label>
        ))}
        <FieldError id={`${prefix}-events-error`} message={eventsError} />
      </fieldset>
      {!hook && (
        <label class="checkbox">
          <input
            type="checkbox"
            checked={draft.active}
            onChange={(e) => setDraft((d) => ({ ...d, active: e.currentTarget.checked }))}
          />
          Start sending at once (otherwise it starts paused)
        </label>
      )}
      <div class="button-row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : hook ? "Save changes" : "Add webhook"}
        </button>
        {onCancel && (
          <button type="button" class="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

async function loadWebhooks() {
  return listAll((offset) => unwrap(api.GET("/api/v1/webhooks", { params: { query: { limit: MAX_PAGE, offset } } })));
}

/** Webhooks: where events are sent, which events, paused or not; deliveries per webhook. */
export function WebhooksPage() {
  useTitle("Webhooks");
  const [resource, reload] = useResource(loadWebhooks, []);
  const [editing, setEditing] = useState<number | null>(null);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function setActive(hook: Webhook, active: boolean) {
    setProblem(null);
    try {
      await unwrap(
        api.PATCH("/api/v1/webhooks/{item_id}", {
          params: { path: { item_id: hook.id }, header: { "if-match": `"${hook.version}"` } },
          body: { active },
        }),
      );
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    }
  }

  async function rotate(hook: Webhook) {
    if (!window.confirm(`Replace the signing secret of ${hook.url}? The receiver must use the new one from now on.`)) return;
    setProblem(null);
    try {
      const rotated = await unwrap(
        api.POST("/api/v1/webhooks/{item_id}/secret", { params: { path: { item_id: hook.id } } }),
      );
      setSecret({ url: hook.url, secret: rotated.secret, reason: "rotated" });
      reload();
    } catch (error) {
      setProblem(asProblem(error));
    }
  }

  return (
    <>
      <h1>Webhooks</h1>
      <p>
        Other systems can be told at once when something changes here: LSP Hub sends each event as a signed JSON POST,
        retrying for about an hour. A paused webhook keeps its events until it is resumed.
      </p>
      {secret && <SecretNotice secret={secret} />}
      {problem && <ErrorMessage problem={problem} />}
      <Loadable resource={resource} label="the webhooks" onRetry={reload}>
        {(hooks) => (
          <>
            {hooks.length === 0 ? (
              <p>No webhooks yet.</p>
            ) : (
              <div class="table-scroll" tabIndex={0} role="region" aria-label="Webhooks">
                <table>
                  <TableHead columns={["Receiver", "Events", "Status"]} actions />
                  <tbody>
                    {hooks.map((hook) => (
                      <Fragment key={hook.id}>
                        <tr>
                          <th scope="row">
                            <a class="url" href={`/webhooks/${hook.id}`}>
                              {hook.url}
                            </a>
                            {hook.description && <span class="cell-note">{hook.description}</span>}
                          </th>
                          <td>
                            {hook.events.map((e) => (
                              <code key={e} class="cell-note">
                                {e}
                              </code>
                            ))}
                          </td>
                          <td>
                            <WebhookStatus active={hook.active} />
                          </td>
                          <td>
                            <div class="row-actions">
                              <a class="button-link button-secondary" href={`/webhooks/${hook.id}`}>
                                Deliveries <span class="visually-hidden">to {hook.url}</span>
                              </a>
                              <button type="button" class="button-secondary" onClick={() => void setActive(hook, !hook.active)}>
                                {hook.active ? "Pause" : "Resume"} <span class="visually-hidden">{hook.url}</span>
                              </button>
                              <button type="button" class="button-secondary" onClick={() => setEditing(hook.id)}>
                                Change <span class="visually-hidden">{hook.url}</span>
                              </button>
                              <button type="button" class="button-secondary" onClick={() => void rotate(hook)}>
                                New secret <span class="visually-hidden">for {hook.url}</span>
                              </button>
                            </div>
                          </td>
                        </tr>
                        {editing === hook.id && (
                          <EditRow span={4}>
                            <WebhookForm
                              hook={hook}
                              onCancel={() => setEditing(null)}
                              onSaved={() => {
                                setEditing(null);
                                reload();
                              }}
                            />
                          </EditRow>
                        )}
                      </Fragment>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <WebhookForm
              hook={null}
              onSaved={(created) => {
                setSecret(created);
                reload();
              }}
            />
          </>
        )}
      </Loadable>
    </>
  );
}
