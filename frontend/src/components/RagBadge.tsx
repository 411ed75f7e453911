import type { Rag } from "../api/types";
import { RAG_LABELS, ragKey, type RagKey } from "../lib/rag";

/** A letter as well as a colour, so the status survives greyscale printing and colour blindness. */
const SYMBOLS: Record<RagKey, string> = {
  red: "R",
  amber: "A",
  green: "G",
  complete: "✓",
  not_rated: "–",
};

export function RagBadge({ rag }: { rag: Rag | null | undefined }) {
  const key = ragKey(rag);
  return (
    <span class={`rag rag-${key}`}>
      <span class="rag-symbol" aria-hidden="true">
        {SYMBOLS[key]}
      </span>
      {RAG_LABELS[key]}
    </span>
  );
}
