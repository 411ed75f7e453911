import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { asProblem, type Problem } from "../api/problem";
import type { ImportChange, ImportKind, ImportResult, ImportRowError } from "../api/types";
import { ErrorMessage, Loadable } from "../components/Loadable";
import { describeChanges, describeKey, rowErrors, summarise } from "../lib/imports";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";

function runImport(kind: string, file: File, dryRun: boolean) {
  return unwrap(
    api.POST("/api/v1/imports/{kind}", {
      params: { path: { kind }, query: { dry_run: dryRun } },
      body: { file: file.name },
      bodySerializer: () => {
        const form = new FormData();
        form.append("file", file);
        return form;
      },
    }),
  );
}

type Step =
  | { name: "choose" }
  | { name: "checking" | "applying" }
  | { name: "checked" | "applied"; result: ImportResult }
  | { name: "rejected"; errors: ImportRowError[] }
  | { name: "failed"; problem: Problem };

function RowErrors({ errors }: { errors: ImportRowError[] }) {
  return (
    <div class="alert alert-error" role="alert">
      <p>
        <strong>The file has {errors.length === 1 ? "an error" : `${errors.length} errors`}</strong>; nothing
        was imported. Fix the rows below and check the file again.
      </p>
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Row errors">
        <table>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Value</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={i}>
                <td>{e.row}</td>
                <td>{e.column ?? ""}</td>
                <td>{e.value ?? ""}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function DiffTable({ changes, total }: { changes: ImportChange[]; total: number }) {
  if (changes.length === 0) return <p>Every row matches what is already stored.</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Changes">
      <table class="diff">
        <caption>Changes this import would make</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Change</th>
            <th scope="col">Record</th>
            <th scope="col">Fields</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.row} class={`diff-${c.action}`}>
              <td>{c.row}</td>
              <td>{c.action === "create" ? "New" : "Update"}</td>
              <td>{describeKey(c.key)}</td>
              <td>
                {c.action === "create" ? (
                  "New record"
                ) : (
                  <ul class="plain">
                    {describeChanges(c).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > changes.length && (
        <p class="muted">
          Showing the first {changes.length} of {total} changed rows.
        </p>
      )}
    </div>
  );
}

type Column = { name: string; required: boolean; help: string };

const asColumns = (kind: ImportKind): Column[] =>
  kind.columns.map((c) => ({ name: String(c.name), required: c.required === true, help: String(c.help ?? "") }));

function KindHelp({ kind }: { kind: ImportKind }) {
  return (
    <details class="kind-help">
      <summary>
        Columns for {kind.title.toLowerCase()} (rows are matched on {kind.key.join(", ")})
      </summary>
      <ul>
        {asColumns(kind).map((c) => (
          <li key={c.name}>
            <code>{c.name}</code>
            {c.required ? " (required)" : ""}
            {c.help ? ` — ${c.help}` : ""}
          </li>
        ))}
      </ul>
    </details>
  );
}

function ImportForm({ kinds }: { kinds: ImportKind[] }) {
  const [kindName, setKindName] = useState(kinds.some((k) => k.name === "tasks") ? "tasks" : (kinds[0]?.name ?? ""));
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState<Step>({ name: "choose" });
  const kind = kinds.find((k) => k.name === kindName);

  async function send(dryRun: boolean) {
    if (!file) return;
    setStep({ name: dryRun ? "checking" : "applying" });
    try {
      const result = await runImport(kindName, file, dryRun);
      setStep({ name: dryRun ? "checked" : "applied", result });
    } catch (error) {
      const problem = asProblem(error);
      const errors = rowErrors(problem);
      setStep(errors.length > 0 ? { name: "rejected", errors } : { name: "failed", problem });
    }
  }

  const busy = step.name === "checking" || step.name === "applying";
  return (
    <>
      <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a file</h2>
        <p class="muted">
          CSV (UTF-8 with a header row) or XLSX. Existing rows are matched on their natural key and updated;
          new rows are created. Check the file first: nothing is saved until you apply it.
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send(true);
          }}
        >
          <div class="form-row">
            <label for="import-kind">What the file contains</label>
            <select
              id="import-kind"
              value={kindName}
              onChange={(e) => {
                setKindName(e.currentTarget.value);
                setStep({ name: "choose" });
              }}
            >
              {kinds.map((k) => (
                <option key={k.name} value={k.name}>
                  {k.title}
                </option>
              ))}
            </select>
          </div>
          {kind && <KindHelp kind={kind} />}
          <div class="form-row">
            <label for="import-file">File</label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.xlsx,text/csv"
              required
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0] ?? null);
                setStep({ name: "choose" });
              }}
            />
          </div>
          <button type="submit" disabled={!file || busy}>
            {step.name === "checking" ? "Checking…" : "Check file (dry run)"}
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="result-title" aria-live="polite">
        <h2 id="result-title">Result</h2>
        {step.name === "choose" && <p class="muted">Check a file to see what it would change.</p>}
        {busy && <p role="status">{step.name === "checking" ? "Checking the file…" : "Importing…"}</p>}
        {step.name === "failed" && <ErrorMessage problem={step.problem} />}
        {step.name === "rejected" && <RowErrors errors={step.errors} />}
        {step.name === "checked" && (
          <>
            <p role="status">
              <strong>Dry run passed:</strong> {summarise(step.result)}. Nothing has been saved yet.
            </p>
            {!!step.result.unknown_columns?.length && (
              <p class="alert alert-warning">Ignored columns: {step.result.unknown_columns.join(", ")}</p>
            )}
            <DiffTable changes={step.result.changes ?? []} total={step.result.changes_total ?? 0} />
            <button type="button" onClick={() => void send(false)}>
              Apply import
            </button>
          </>
        )}
        {step.name === "applied" && (
          <p class="alert alert-success" role="status">
            Imported: {step.result.created} created, {step.result.updated} updated, {step.result.unchanged}{" "}
            unchanged.
          </p>
        )}
      </section>
    </>
  );
}

/** Upload a file, see what it would change (dry run), then apply it. */
export function ImportPage() {
  useTitle("Import");
  const [kinds, reload] = useResource(() => unwrap(api.GET("/api/v1/imports/kinds")), []);
  return (
    <>
      <h1>Import</h1>
      <Loadable resource={kinds} label="import formats" onRetry={reload}>
        {(list) => <ImportForm kinds={list} />}
      </Loadable>
    </>
  );
}
