import type { RagCounts } from "../lib/rag";

/** The G/A/R/Total box from the paper performance report form. */
export function SummaryBox({ counts, caption }: { counts: RagCounts; caption: string }) {
  const others = counts.complete + counts.not_rated;
  return (
    <table class="summary-box">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" class="rag-cell-green">G<span class="visually-hidden">reen</span></th>
          <th scope="col" class="rag-cell-amber">A<span class="visually-hidden">mber</span></th>
          <th scope="col" class="rag-cell-red">R<span class="visually-hidden">ed</span></th>
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
