import type { RagCounts } from "../lib/rag";

/** The G/A/R/Total box from the paper performance report form. */
export function SummaryBox({ counts, caption }: { counts: RagCounts; caption: string }) {
  const others = counts.complete + counts.not_rated;
  return (
    <table class="summary-box">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" class="rag-cell-green">
            <span aria-hidden="true">G</span>
            <span class="visually-hidden">Green</span>
          </th>
          <th scope="col" class="rag-cell-amber">
            <span aria-hidden="true">A</span>
            <span class="visually-hidden">Amber</span>
          </th>
          <th scope="col" class="rag-cell-red">
            <span aria-hidden="true">R</span>
            <span class="visually-hidden">Red</span>
          </th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>{counts.green}</td>
          <td>{counts.amber}</td>
          <td>{counts.red}</td>
          <td>{counts.total}</td>
        </tr>
      </tbody>
      {others > 0 && (
        <tfoot>
          <tr>
            <td colSpan={4}>
              Complete {counts.complete} · Not rated {counts.not_rated}
            </td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}
