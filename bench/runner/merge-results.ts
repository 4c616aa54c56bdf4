import { mkdirSync } from 'node:fs';
import { type ResultsFile, readResultsFile, resultSetOf, writeReport } from './report.js';

/** The command-line engine id of a measurement (`webkit-disk` for WebKit on disk). */
const engineIdOf = (m: { engine: string; storage: string }) =>
  m.storage === 'disk' ? `${m.engine}-disk` : m.engine;

/** A workload measured on an engine and storage (a failure may name `workload / impl`). */
const comboOf = (x: { engine: string; storage: string; workload: string }) =>
  `${x.engine}|${x.storage}|${x.workload.split(' / ')[0]}`;

/**
 * Merges results files of separate invocations (for example all engines, then one engine measured
 * again after a fix, or engines run side by side) into one report in `outDir`. For each workload on
 * each engine and storage, the LAST file that measured it wins: its figures and failures replace
 * those of earlier files. The report is complete when every input ran the full dataset with at least
 * 5 runs and together they measured every workload `expected` lists for each engine.
 */
export function mergeResults(
  paths: readonly string[],
  outDir: string,
  expected: Readonly<Record<string, readonly string[]>>,
): string[] {
  if (paths.length < 2) throw new Error('--merge wants at least two results.json files, comma-separated');
  const files = paths.map((path) => ({ path, file: readResultsFile(path) }));
  const owner = new Map<string, number>();
  files.forEach(({ file }, i) => {
    for (const m of file.measurements) owner.set(comboOf(m), i);
    for (const f of file.failures) owner.set(comboOf(f), i);
  });
  const ownedBy = (i: number) => (x: { engine: string; storage: string; workload: string }) =>
    owner.get(comboOf(x)) === i;
  const merged: Pick<ResultsFile, 'measurements' | 'notes' | 'failures'> = {
    measurements: files.flatMap(({ file }, i) => file.measurements.filter(ownedBy(i))),
    failures: files.flatMap(({ file }, i) => file.failures.filter(ownedBy(i))),
    // Notes name the engine and workload only: keep a note where its file owns that workload there.
    notes: files.flatMap(({ file }, i) =>
      file.notes.filter((n) =>
        [...owner].some(
          ([combo, j]) => j === i && combo.startsWith(`${n.engine}|`) && combo.endsWith(`|${n.workload}`),
        ),
      ),
    ),
  };
  const engines = [...new Set(files.flatMap(({ file }) => file.engines ?? []))];
  const first = files[0]!.file;
  const machine = first.machine && {
    ...first.machine,
    loadSamples: files.flatMap(({ file }) => file.machine?.loadSamples ?? []),
  };
  const complete =
    files.every(
      ({ file }) => file.options.records === 100_000 && file.options.runs >= 5 && !file.options.smoke,
    ) &&
    Object.entries(expected).every(([engine, workloads]) =>
      workloads.every((workload) =>
        merged.measurements.some((m) => engineIdOf(m) === engine && m.workload === workload),
      ),
    );
  mkdirSync(outDir, { recursive: true });
  return writeReport(outDir, {
    options: first.options,
    engines,
    machine,
    results: resultSetOf(merged),
    totalMs: files.reduce((sum, { file }) => sum + file.totalSeconds * 1000, 0),
    complete,
    command: files.map(({ file }) => file.command).join(' + '),
    generatedAt: files
      .map(({ file }) => file.generatedAt)
      .sort()
      .at(-1)!,
  });
}
