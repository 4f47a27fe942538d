"use client";

import { type SubmitEvent, useState } from "react";

import type { ImportKind, ImportReport } from "@/api/client";

interface DataPortabilityProps {
  /** The export file's bytes. */
  exportData: () => Promise<Blob>;
  importData: (kind: ImportKind, file: Blob) => Promise<ImportReport>;
}

/** Saves `blob` as a download named `filename`. */
function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * Export everything to one JSON file, and import such a file (or TodoMVC's
 * data): the report lists each row that was skipped and why.
 */
export function DataPortability({ exportData, importData }: DataPortabilityProps) {
  const [kind, setKind] = useState<ImportKind>("export");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function saveExport() {
    setError(null);
    try {
      download(await exportData(), "minor-illusion-export.json");
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not export.");
    }
  }

  async function runImport(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file || busy) return;
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await importData(kind, file));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not import.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card account-section" aria-labelledby="portability-title">
      <h2 id="portability-title" className="account-section__title">
        Export and import
      </h2>
      <p className="account-section__text">
        Download every list you own or are a member of, with its members and todos, as one JSON file. Importing
        such a file creates its lists anew in this account (its members are not added); importing twice makes
        two copies.
      </p>
      <div className="account-form__actions">
        <button className="button" type="button" onClick={() => void saveExport()}>
          Download export
        </button>
      </div>
      <form className="account-form" aria-label="Import" onSubmit={(event) => void runImport(event)}>
        <label className="form-field">
          <span className="form-field__label">File format</span>
          <select value={kind} onChange={(event) => { setKind(event.target.value as ImportKind); }}>
            <option value="export">This app&apos;s export</option>
            <option value="todomvc">TodoMVC (localStorage JSON)</option>
          </select>
        </label>
        <label className="form-field">
          <span className="form-field__label">File</span>
          <input
            type="file"
            accept="application/json,.json"
            onChange={(event) => { setFile(event.target.files?.[0] ?? null); }}
          />
        </label>
        <div className="account-form__actions">
          <button className="button" type="submit" disabled={!file || busy}>
            {busy ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
      {error ? (
        <p className="banner banner--error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <div className="banner banner--info" role="status">
          <p>
            Imported {report.todos_imported} todos into {report.lists_created} new lists
            {report.problems.length ? `; skipped ${report.problems.length + report.problems_not_shown} rows:` : "."}
          </p>
          {report.problems.length ? (
            <ul aria-label="Skipped rows">
              {report.problems.map((problem) => (
                <li key={problem.row}>
                  <code>{problem.row}</code>: {problem.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
