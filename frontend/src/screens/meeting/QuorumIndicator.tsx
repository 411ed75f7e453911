import type { QuorumState } from "../../lib/quorum";

/** Live as attendance is recorded; announced politely to screen readers. */
export function QuorumIndicator({ quorum }: { quorum: QuorumState }) {
  return (
    <p class={`quorum ${quorum.quorate ? "quorum-met" : "quorum-short"}`} role="status" aria-live="polite">
      <strong>{quorum.quorate ? "Quorate" : "Not quorate"}</strong>: {quorum.presentVoting} of{" "}
      {quorum.required} voting members needed are present
      {quorum.quorate ? "." : ` — ${quorum.short} more needed.`}
    </p>
  );
}
