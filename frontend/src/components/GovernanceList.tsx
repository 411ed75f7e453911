import { useState } from "preact/hooks";
import type { GovernanceFinding } from "../api/types";

type Props = {
  findings: GovernanceFinding[];
  showPartnership?: boolean;
  /** Show this many until the user asks for the rest. */
  initial?: number;
};

export function GovernanceList({ findings, showPartnership = false, initial = 8 }: Props) {
  const [all, setAll] = useState(false);
  if (findings.length === 0) return <p class="muted">No governance issues found.</p>;
  const shown = all ? findings : findings.slice(0, initial);
  return (
    <>
      <ul class="findings">
        {shown.map((f, i) => (
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
      {shown.length < findings.length && (
        <button type="button" class="button-secondary" onClick={() => setAll(true)}>
          Show all {findings.length} findings
        </button>
      )}
    </>
  );
}
