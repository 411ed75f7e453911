import type { LaaRag } from "../lib/laa";

export const LAA_RAG_LABELS: Record<LaaRag, string> = {
  green: "Green",
  amber: "Amber",
  red: "Red",
  no_data: "No data",
};

/** What each status means against the trajectory to the target (api/laa/rag.py). */
export const LAA_RAG_MEANINGS: Record<LaaRag, string> = {
  green: "on or ahead of the trajectory",
  amber: "a little behind the trajectory",
  red: "well behind the trajectory",
  no_data: "no value reported yet",
};

const SYMBOLS: Record<LaaRag, string> = { green: "G", amber: "A", red: "R", no_data: "–" };

/** An LAA target's status as a word and a letter as well as a colour. */
export function LaaRagBadge({ rag }: { rag: LaaRag }) {
  return (
    <span class={`rag rag-${rag}`}>
      <span class="rag-symbol" aria-hidden="true">
        {SYMBOLS[rag]}
      </span>
      {LAA_RAG_LABELS[rag]}
    </span>
  );
}
