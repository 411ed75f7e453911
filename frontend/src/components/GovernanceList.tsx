import type { GovernanceFinding } from "../api/types";

export function GovernanceList({
  findings,
  showPartnership = false,
}: {
  findings: GovernanceFinding[];
  showPartnership?: boolean;
}) {
  if (findings.length === 0) return <p class="muted">No governance issues found.</p>;
  return (
    <ul class="findings">
      {findings.map((f, i) => (
        <li key={`${f.rule}-${f.partnership_id}-${i}`}>
          <span class="finding-label">Warning:</span> {f.message}
          {showPartnership && (
            <>
              {" "}
              <a href={`/partnerships/${f.partnership_id}`}>{f.partnership_name}</a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
