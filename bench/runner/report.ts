import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { implementationNotes, networkNote, workloadNotes } from './descriptions.js';
import type { MachineInfo } from './machine.js';
import { defaultProfileId, networkProfiles, type ProfileId, profileIds } from './network/profiles.js';
import { ResultSet, type Storage, type SummarizedMeasurement } from './results.js';
import { evaluateTargets, type TargetOutcome } from './targets.js';
import type { BenchOptions } from './workload.js';

/** Hand-written findings (why a target is missed, what would close it), included in RESULTS.md. */
const findingsFile = fileURLToPath(new URL('../findings.md', import.meta.url));

export interface ReportInput {
  readonly options: BenchOptions;
  readonly engines: readonly string[];
  readonly machine: MachineInfo | undefined;
  readonly results: ResultSet;
  readonly totalMs: number;
  readonly complete: boolean;
  /** The command that produced the figures, and when (kept when a report is rendered again). */
  readonly command?: string;
  readonly generatedAt?: string;
}

const engineLabel = (engine: string, storage: Storage) =>
  engine === 'node'
    ? 'Node, no browser'
    : engine === 'chromium'
      ? storage === 'disk'
        ? 'Chromium, on disk'
        : 'Chromium, in memory'
      : storage === 'disk'
        ? 'WebKit, on disk'
        : 'WebKit, in memory';

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'bytes') return `${(value / 1e6).toFixed(1)} MB`;
  if (unit === 'bytes/record') return `${Math.round(value).toLocaleString('en-US')} B`;
  if (unit === 'count') return Math.round(value).toLocaleString('en-US');
  if (unit === '%') return `${value.toFixed(0)}%`;
  if (unit === 'records/s') return `${Math.round(value).toLocaleString('en-US')}/s`;
  if (Math.abs(value) >= 100) return `${Math.round(value).toLocaleString('en-US')} ms`;
  if (Math.abs(value) >= 1) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(3)} ms`;
}

function outcomeCell(o: TargetOutcome, failures: ResultSet['failures']): string {
  if (o.notApplicable !== undefined) return `n/a (${o.notApplicable})`;
  if (o.value === undefined) {
    const operands = [o.target.numerator, ...(o.target.denominator ? [o.target.denominator] : [])];
    const failed = operands.filter((op) =>
      failures.some(
        (f) =>
          f.engine === o.engine &&
          f.storage === o.storage &&
          (f.profile === (o.target.profile ?? defaultProfileId) || f.profile === '*') &&
          (f.workload === op.workload || f.workload === `${op.workload} / ${op.impl}`),
      ),
    );
    if (failed.length > 0) return `failed (${failed.map((op) => op.impl).join(', ')}: see Failures)`;
    return `pending (${o.missing} not measured)`;
  }
  const value = o.target.denominator ? `${o.value.toFixed(2)}×` : format(o.value, 'ms');
  if (o.met) return `**${value}** ✓`;
  const by =
    o.target.direction === 'max'
      ? `${((o.value / o.target.bound - 1) * 100).toFixed(0)}% over`
      : `${((1 - o.value / o.target.bound) * 100).toFixed(0)}% short`;
  return `**${value}** ✗ (${by})`;
}

function measurementTable(rows: SummarizedMeasurement[]): string[] {
  const lines = ['| implementation | metric | median | p95 | min | runs |', '|---|---|---|---|---|---|'];
  for (const m of rows) {
    const s = m.summary;
    lines.push(
      `| ${m.impl} | ${m.metric} | ${format(s.median, m.unit)} | ${format(s.p95, m.unit)} | ${format(s.min, m.unit)} | ${s.n} |`,
    );
  }
  return lines;
}

/** Writes RESULTS.md and results.json into `dir`; returns the paths written. */
export function writeReport(dir: string, input: ReportInput): string[] {
  const { options, machine, results, totalMs } = input;
  const measurements = results.all();
  const combos = [
    ...new Map(
      measurements.map((m) => [`${m.engine}|${m.storage}`, { engine: m.engine, storage: m.storage }]),
    ).values(),
  ];
  const browsers = combos.filter((c) => c.engine !== 'node');
  const outcomes = evaluateTargets(results, browsers);

  const json = {
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    command: input.command ?? `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    engines: input.engines,
    complete: input.complete,
    totalSeconds: Math.round(totalMs / 1000),
    options,
    machine,
    targets: outcomes.map((o) => ({
      id: o.target.id,
      engine: o.engine,
      storage: o.storage,
      profile: o.target.profile ?? defaultProfileId,
      bound: o.target.bound,
      direction: o.target.direction,
      reads: o.target.reads,
      value: o.value ?? null,
      met: o.met ?? null,
      ...(o.missing === undefined ? {} : { missing: o.missing }),
    })),
    measurements,
    notes: results.notes,
    failures: results.failures,
  };
  const jsonPath = join(dir, 'results.json');
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);

  const md: string[] = [];
  md.push('# idb-sync benchmark results', '');
  md.push(
    `Generated by \`${json.command}\` on ${json.generatedAt.slice(0, 10)} in ${Math.round(totalMs / 60_000)} minutes` +
      (input.complete ? '.' : ' (**a partial or smoke run**, not the full benchmark).'),
    'Every figure is the median and the p95 of the runs listed (nearest rank: with fewer than 20 runs the p95 is the',
    'slowest run). Raw data: [results.json](results.json). A benchmark, not a test: nothing here fails CI.',
    '',
  );
  if (machine) {
    md.push('## Machine', '');
    md.push('| | |', '|---|---|');
    md.push(
      `| CPU | ${machine.cpu}, ${machine.cores} cores (shared with other work: load ${machine.loadAverage.toFixed(2)} at start) |`,
    );
    md.push(`| memory | ${machine.memoryGiB} GiB |`);
    if (machine.loadSamples.length > 0) {
      const loads = machine.loadSamples.map((l) => l.toFixed(1)).join(', ');
      md.push(`| 1-minute load average at each workload's start and at the end | ${loads} |`);
    }
    md.push(`| kernel / Node | ${machine.kernel} / ${machine.node} |`);
    for (const [name, version] of Object.entries(machine.packages)) md.push(`| ${name} | ${version} |`);
    for (const [engine, env] of Object.entries(machine.pages)) {
      md.push(
        `| page (${engine}) | \`${env.userAgent}\`; cross-origin isolated: ${env.crossOriginIsolated ? 'yes' : 'no'}; performance.now() step ${env.timerResolutionMs.toFixed(3)} ms |`,
      );
    }
    md.push('');
  }
  md.push('## Dataset and settings', '');
  md.push(
    `- ${options.records.toLocaleString('en-US')} records of \`service_types\` seeded by the reference server (\`server/seed.ts\`), about 1 KB each as JSON (id, code, name, category, tags, search tokens, description, instructions, price, timestamps).`,
    `- Pages (\`windowSize\`) of ${options.windowSize}; ${options.changes} changes for the incremental and push workloads; ${options.runs} measured run(s) per figure, implementations in rotating order.`,
    '- The reference server runs on PGlite in memory in the benchmark process; pages reach it through the bench origin on 127.0.0.1 (static pages plus a streaming forward of `/v1/*`), behind a network link whose profile shapes the `/v1/*` traffic (next section).',
    '',
  );
  md.push('## Network profiles', '', networkNote, '');
  const measuredProfiles = profileIds.filter((id) => measurements.some((m) => m.profile === id));
  for (const id of measuredProfiles) md.push(`- ${networkProfiles[id].label}`);
  md.push('');

  md.push('## Targets (ratios of medians)', '');
  md.push(
    `| target | profile | bound | ${browsers.map((c) => engineLabel(c.engine, c.storage)).join(' | ')} |`,
  );
  md.push(`|---|---|---|${browsers.map(() => '---').join('|')}|`);
  const ids = [...new Set(outcomes.map((o) => o.target.id))];
  for (const id of ids) {
    const row = outcomes.filter((o) => o.target.id === id);
    const t = row[0]!.target;
    const bound = t.denominator ? `${t.direction === 'max' ? '≤' : '≥'} ${t.bound}×` : `< ${t.bound} ms`;
    const cells = browsers.map((c) => {
      const o = row.find((r) => r.engine === c.engine && r.storage === c.storage);
      return o ? outcomeCell(o, results.failures) : '–';
    });
    md.push(
      `| ${t.label} (${t.reads}) | ${t.profile ?? defaultProfileId} | ${bound} | ${cells.join(' | ')} |`,
    );
  }
  md.push('');

  if (existsSync(findingsFile)) {
    md.push(readFileSync(findingsFile, 'utf8').trim(), '');
  }

  // Figures by profile (profiles of this code first, in their order; any other after them), each
  // workload's description once, at its first appearance.
  const profiles = [
    ...measuredProfiles,
    ...new Set(measurements.map((m) => m.profile).filter((p) => !profileIds.includes(p as ProfileId))),
  ];
  const described = new Set<string>();
  for (const profile of profiles) {
    const known = networkProfiles[profile as ProfileId];
    md.push(`## Figures: ${known ? known.label : profile}`, '');
    const inProfile = measurements.filter((m) => m.profile === profile);
    for (const workload of [...new Set(inProfile.map((m) => m.workload))]) {
      md.push(`### ${workload} (${profile})`, '');
      const note = workloadNotes[workload];
      if (note && !described.has(workload)) md.push(note, '');
      described.add(workload);
      for (const c of combos) {
        const rows = inProfile.filter(
          (m) => m.workload === workload && m.engine === c.engine && m.storage === c.storage,
        );
        if (rows.length === 0) continue;
        md.push(`**${engineLabel(c.engine, c.storage)}**`, '', ...measurementTable(rows), '');
      }
      for (const n of results.notes.filter((n) => n.workload === workload && n.profile === profile)) {
        md.push(`- ${n.engine}: ${n.text}`);
      }
      md.push('');
    }
  }

  md.push('## How each implementation is configured', '');
  for (const [impl, text] of Object.entries(implementationNotes)) md.push(`- **${impl}**: ${text}`);
  md.push('');

  if (results.failures.length > 0) {
    md.push('## Failures', '');
    for (const f of results.failures) {
      md.push(
        `- ${f.engine} (${f.storage}, ${f.profile}) / ${f.workload}:`,
        '',
        '```',
        f.error.slice(0, 2_000),
        '```',
        '',
      );
    }
  }
  const mdPath = join(dir, 'RESULTS.md');
  writeFileSync(mdPath, `${md.join('\n').trim()}\n`);
  return [mdPath, jsonPath];
}

/** A results.json as {@link writeReport} writes it. */
export interface ResultsFile {
  generatedAt: string;
  command: string;
  complete: boolean;
  totalSeconds: number;
  options: BenchOptions;
  engines?: string[];
  machine: MachineInfo | undefined;
  measurements: SummarizedMeasurement[];
  notes: ResultSet['notes'];
  failures: ResultSet['failures'];
}

/** Reads a results.json; figures, failures and notes from before network profiles get loopback's. */
export function readResultsFile(jsonPath: string): ResultsFile {
  const file = JSON.parse(readFileSync(jsonPath, 'utf8')) as ResultsFile;
  const withProfile = <T extends { profile?: string }>(x: T) => ({
    ...x,
    profile: x.profile ?? defaultProfileId,
  });
  return {
    ...file,
    measurements: file.measurements.map(withProfile),
    failures: file.failures.map(withProfile),
    notes: file.notes.map(withProfile),
  };
}

/** Rebuilds the sample set of results files (already merged or single). */
export function resultSetOf(file: Pick<ResultsFile, 'measurements' | 'notes' | 'failures'>): ResultSet {
  const results = new ResultSet();
  for (const m of file.measurements) {
    const { samples, summary: _summary, ...key } = m;
    for (const sample of samples) results.add(key, sample);
  }
  results.notes.push(...file.notes);
  results.failures.push(...file.failures);
  return results;
}

/**
 * Renders RESULTS.md again from a results.json (after editing bench/findings.md or the report
 * code), without measuring anything; the JSON is rewritten with the same figures.
 */
export function renderAgain(jsonPath: string): string[] {
  const json = readResultsFile(jsonPath);
  return writeReport(dirname(jsonPath), {
    options: json.options,
    engines: json.engines ?? [],
    machine: json.machine,
    results: resultSetOf(json),
    totalMs: json.totalSeconds * 1000,
    complete: json.complete,
    command: json.command,
    generatedAt: json.generatedAt,
  });
}
