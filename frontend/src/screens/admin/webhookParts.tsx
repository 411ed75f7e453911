import type { DeliveryStatus } from "../../api/types";

/** A signing secret just created or replaced: shown once, here. */
export type Secret = { url: string; secret: string; reason: "created" | "rotated" };

export function SecretNotice({ secret }: { secret: Secret }) {
  return (
    <div class="alert alert-success" role="status">
      <p>
        <strong>{secret.reason === "created" ? "Webhook added" : "New secret in force"}</strong> for{" "}
        <span class="url">{secret.url}</span>. Give the receiver this signing secret now: it will not be shown again.
      </p>
      <p>
        <code class="secret" aria-label="The signing secret">
          {secret.secret}
        </code>
      </p>
    </div>
  );
}

export function WebhookStatus({ active }: { active: boolean }) {
  return <span class={`status status-${active ? "active" : "paused"}`}>{active ? "Active" : "Paused"}</span>;
}

const DELIVERY_LABELS: Record<DeliveryStatus, string> = {
  pending: "Pending",
  delivered: "Delivered",
  failed: "Failed",
};

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`status status-${status}`}>{DELIVERY_LABELS[status]}</span>;
}
