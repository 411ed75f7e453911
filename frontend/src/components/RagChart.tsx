import { stackSegments } from "../lib/chart";
import { RAG_KEYS, RAG_LABELS, type RagCounts } from "../lib/rag";

export type RagRow = { key: string; label: string; counts: RagCounts };

const WIDTH = 100;

function describe(counts: RagCounts): string {
  return RAG_KEYS.filter((k) => counts[k] > 0)
    .map((k) => `${RAG_LABELS[k]} ${counts[k]}`)
    .join(", ");
}

/**
 * One stacked bar per row (outcome), drawn as inline SVG. Each bar carries its numbers as
 * text beside it, so the chart reads without colour.
 */
export function RagChart({ rows, title }: { rows: RagRow[]; title: string }) {
  return (
    <figure class="rag-chart">
      <figcaption>{title}</figcaption>
      <ul class="rag-chart-legend" aria-hidden="true">
        {RAG_KEYS.map((key) => (
          <li key={key}>
            <span class={`swatch fill-${key}`} />
            {RAG_LABELS[key]}
          </li>
        ))}
      </ul>
      <dl>
        {rows.map(({ key, label, counts }) => (
          <div class="rag-chart-row" key={key}>
            <dt>{label}</dt>
            <dd>
              <svg
                viewBox={`0 0 ${WIDTH} 10`}
                preserveAspectRatio="none"
                class="rag-bar"
                role="img"
                aria-label={describe(counts) || "No tasks"}
              >
                {stackSegments(RAG_KEYS, counts, WIDTH).map((s) => (
                  <rect key={s.key} class={`fill-${s.key}`} x={s.x} y={0} width={s.width} height={10} />
                ))}
              </svg>
              <span class="rag-chart-counts">{describe(counts) || "No tasks"}</span>
            </dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}
