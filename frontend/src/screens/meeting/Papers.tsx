import { useEffect, useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { PackItem, PaperFile } from "../../api/types";
import { ErrorMessage } from "../../components/Loadable";
import { formatBytes, PAPER_ACCEPT } from "../../lib/agenda";
import { saveBlob } from "../../lib/download";

/** Fetches a paper's file with the caller's credentials and saves it under its own name. */
export async function downloadPaper(file: PaperFile): Promise<void> {
  const { data, response } = await api.GET("/api/v1/reports/{report_id}/file", {
    params: { path: { report_id: file.report_id } },
    parseAs: "blob",
  });
  if (!response.ok || !data) {
    await unwrap(Promise.resolve({ data: undefined, error: undefined, response }));
    return;
  }
  saveBlob(data as Blob, file.name);
}

export function DownloadButton({ file, label }: { file: PaperFile; label?: string }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  return (
    <>
      <button
        type="button"
        class="button-secondary button-small"
        onClick={() => downloadPaper(file).then(() => setProblem(null), (e: unknown) => setProblem(asProblem(e)))}
      >
        {label ?? "Download"} <span class="visually-hidden">{file.name}</span>
        <span class="muted small"> ({formatBytes(file.size)})</span>
      </button>
      {problem && <ErrorMessage problem={problem} />}
    </>
  );
}

function uploadFile(reportId: number, file: File) {
  return unwrap(
    api.PUT("/api/v1/reports/{report_id}/file", {
      params: { path: { report_id: reportId } },
      body: { file: file.name },
      bodySerializer: () => {
        const form = new FormData();
        form.append("file", file);
        return form;
      },
    }),
  );
}

/**
 * Uploads `file` as the paper of agenda item `item`: into its paper when it has one, else into
 * a new paper named after the item, which is then put on the item. A refused file leaves no
 * new paper behind.
 */
async function attach(item: PackItem, partnershipId: number, file: File, isPublic: boolean): Promise<void> {
  if (item.report_id !== null && item.report_id !== undefined) {
    await uploadFile(item.report_id, file);
    return;
  }
  const paper = await unwrap(
    api.POST("/api/v1/reports", { body: { partnership_id: partnershipId, title: item.title, public: isPublic } }),
  );
  try {
    await uploadFile(paper.id, file);
  } catch (error) {
    await api.DELETE("/api/v1/reports/{report_id}", { params: { path: { report_id: paper.id } } });
    throw error;
  }
  await unwrap(
    api.PATCH("/api/v1/agenda-items/{item_id}", {
      params: { path: { item_id: item.id } },
      body: { report_id: paper.id },
    }),
  );
}

export type PaperChoice = { id: number; title: string };

/** An agenda item's paper: its title and file; for officers an upload, a choice of the
 * partnership's other papers, the public flag and taking the paper off the item. */
export function PaperCell({
  item,
  partnershipId,
  meetingPublic,
  editable,
  onChanged,
  choices = [],
}: {
  item: PackItem;
  partnershipId: number;
  meetingPublic: boolean;
  editable: boolean;
  onChanged: () => void;
  choices?: PaperChoice[];
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const paper = item.paper;
  // The box shows the choice at once; the saved value takes over when it arrives.
  const [publicDraft, setPublicDraft] = useState<boolean | null>(null);
  useEffect(() => setPublicDraft(null), [paper?.public]);
  const inputId = `paper-file-${item.id}`;

  async function onFile(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      await attach(item, partnershipId, file, meetingPublic);
      onChanged();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
      input.value = "";
    }
  }

  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setProblem(null);
    try {
      await work();
      onChanged();
    } catch (error) {
      setPublicDraft(null);
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  const setReport = (reportId: number | null) =>
    act(() =>
      unwrap(api.PATCH("/api/v1/agenda-items/{item_id}", { params: { path: { item_id: item.id } }, body: { report_id: reportId } })),
    );

  const setPublic = (value: boolean) => {
    setPublicDraft(value);
    return act(() => unwrap(api.PATCH("/api/v1/reports/{report_id}", { params: { path: { report_id: paper!.id } }, body: { public: value } })));
  };

  return (
    <div class="paper-cell">
      {paper ? (
        <p class="small">
          Paper: <strong>{paper.title}</strong>
          {paper.public ? " (public)" : ""}
          {paper.performance_as_of && !paper.file ? " — in the agenda pack" : ""}{" "}
          {paper.file && <DownloadButton file={paper.file} />}
        </p>
      ) : (
        item.report_id == null && <p class="small muted">No paper</p>
      )}
      {editable && paper && (
        <div class="button-row paper-tools">
          <label class="checkbox small">
            <input type="checkbox" checked={publicDraft ?? paper.public} disabled={busy} onChange={(e) => setPublic(e.currentTarget.checked)} /> Public paper
            <span class="visually-hidden"> (“{paper.title}”)</span>
          </label>
          <button type="button" class="button-secondary button-small" disabled={busy} onClick={() => setReport(null)}>
            Take the paper off <span class="visually-hidden">“{item.title}”</span>
          </button>
        </div>
      )}
      {editable && !paper && item.report_id == null && choices.length > 0 && (
        <form
          class="inline-form paper-choice"
          onSubmit={(e) => {
            e.preventDefault();
            const value = Number(new FormData(e.currentTarget).get("report"));
            if (value) void setReport(value);
          }}
        >
          <label for={`paper-choice-${item.id}`} class="small">
            Or choose a paper<span class="visually-hidden"> for “{item.title}”</span>
          </label>
          <select id={`paper-choice-${item.id}`} name="report">
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
          <button type="submit" class="button-secondary button-small" disabled={busy}>
            Attach <span class="visually-hidden">to “{item.title}”</span>
          </button>
        </form>
      )}
      {editable && (
        <div class="paper-upload">
          <label for={inputId} class="small">
            {paper?.file ? "Replace the file" : "Upload a paper"}
            <span class="visually-hidden"> for “{item.title}”</span>
          </label>
          <input id={inputId} type="file" accept={PAPER_ACCEPT} disabled={busy} onChange={onFile} />
          {busy && (
            <p class="small" role="status">
              Uploading…
            </p>
          )}
        </div>
      )}
      {problem && <ErrorMessage problem={problem} />}
    </div>
  );
}
