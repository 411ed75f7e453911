import type { QuorumState } from "../../lib/quorum";

/** The rule stated plainly ("5 needed, 7 present — quorate"); live as attendance is recorded. */
export function QuorumIndicator({ quorum }: { quorum: QuorumState }) {
  return (
    <p class={`quorum ${quorum.quorate ? "quorum-met" : "quorum-short"}`} role="status" aria-live="polite">
      <strong>
        {quorum.required} needed, {quorum.presentVoting} present — {quorum.quorate ? "quorate" : "not quorate"}
      </strong>
      {quorum.quorate ? "" : ` (${quorum.short} more voting ${quorum.short === 1 ? "member" : "members"} needed)`}. Present
      voting members and voting substitutes count.
    </p>
  );
}
