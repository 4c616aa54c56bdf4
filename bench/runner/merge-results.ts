import { mkdirSync } from 'node:fs';
import { type ResultsFile, readResultsFile, resultSetOf, writeReport } from './report.js';

/** The command-line engine id of a measurement (`webkit-disk` for WebKit on disk). */
const engineIdOf = (m: { engine: string; storage: string }) =>
  m.storage === 'disk' ? `${m.engine}-disk` : m.engine;

/** A workload measured on an engine, storage and profile (a failure may name `workload / impl`). */
const comboOf = (x: { engine: string; storage: string; profile: string; workload: string }) =>
  `${x.engine}|${x.storage}|${x.profile}|${x.workload.split(' / ')[0]}`;

/**
 * Merges results files of separate invocations (for example all engines, then one engine measured
 * again after a fix, engines run side by side, or one network profile run on its own) into one
 * report in `outDir`. For each workload on each engine, storage and network profile, the LAST file
 * that measured it wins: its figures and failures replace those of earlier files (files from before
 * profiles count as loopback). The report is complete when every input ran the full dataset with at
 * least 5 runs and together they measured, for each engine `expected` lists, each of its workloads
 * under each of its profiles.
 */
export function mergeResults(
  paths: readonly string[],
  outDir: string,
  expected: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
): string[] {
  if (paths.length < 2) throw new Error('--merge wants at least two results.json files, comma-separated');
  const files = paths.map((path) => ({ path, file: readResultsFile(path) }));
  const owner = new Map<string, number>();
  // Notes name the engine by its command-line id (`webkit-disk`), the profile and the workload.
  const noteOwner = new Map<string, number>();
  files.forEach(({ file }, i) => {
    for (const x of [...file.measurements, ...file.failures]) {
      owner.set(comboOf(x), i);
      noteOwner.set(`${engineIdOf(x)}|${x.profile}|${x.workload.split(' / ')[0]}`, i);
    }
  });
  const ownedBy =
    (i: number) => (x: { engine: string; storage: string; profile: string; workload: string }) =>
      owner.get(comboOf(x)) === i;
  const merged: Pick<ResultsFile, 'measurements' | 'notes' | 'failures'> = {
    measurements: files.flatMap(({ file }, i) => file.measurements.filter(ownedBy(i))),
    failures: files.flatMap(({ file }, i) => file.failures.filter(ownedBy(i))),
    // A note stays where its file owns that workload on that engine and profile.
    notes: files.flatMap(({ file }, i) =>
      file.notes.filter((n) => noteOwner.get(`${n.engine}|${n.profile}|${n.workload}`) === i),
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
      Object.entries(workloads).every(([workload, profiles]) =>
        profiles.every((profile) =>
          merged.measurements.some(
            (m) => engineIdOf(m) === engine && m.workload === workload && m.profile === profile,
          ),
        ),
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
