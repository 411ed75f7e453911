import type { Rag } from "../api/types";

/** A task's status as shown: one of the four ratings, or not yet rated. */
export type RagKey = Rag | "not_rated";

/** Tasks counted by status, as in the report's summary box. */
export type RagCounts = Record<RagKey, number> & { total: number };

/** Worst first, the order used in charts, summaries and the paper form. */
export const RAG_KEYS: readonly RagKey[] = ["red", "amber", "green", "complete", "not_rated"];
export const RAG_CHOICES: readonly Rag[] = ["red", "amber", "green", "complete"];

export const RAG_LABELS: Record<RagKey, string> = {
  red: "Red",
  amber: "Amber",
  green: "Green",
  complete: "Complete",
  not_rated: "Not rated",
};

export const ragKey = (rag: Rag | null | undefined): RagKey => rag ?? "not_rated";

function emptyCounts(): RagCounts {
  return { green: 0, amber: 0, red: 0, complete: 0, not_rated: 0, total: 0 };
}

export function countRag(items: readonly { rag?: Rag | null }[]): RagCounts {
  const counts = emptyCounts();
  for (const item of items) counts[ragKey(item.rag)] += 1;
  counts.total = items.length;
  return counts;
}

/** Reads a <select> value: the empty string means "not rated". */
export function parseRag(value: string): Rag | null {
  return (RAG_CHOICES as readonly string[]).includes(value) ? (value as Rag) : null;
}
