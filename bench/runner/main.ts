import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ControlHub } from '../../e2e/harness/control-hub.js';
import { killAllGroups } from '../../e2e/harness/processes.js';
import { Tab } from '../../e2e/harness/scenario.js';
import { withTimeout } from '../../e2e/harness/with-timeout.js';
import { type BenchOrigin, serveBenchOrigin } from './bench-origin.js';
import { type BenchServer, startBenchServer } from './bench-server.js';
import { bundleBenchPages } from './bundle.js';
import { chromiumBenchEngine } from './chromium-bench-engine.js';
import { measureDatasetBytes } from './dataset-bytes.js';
import type { BenchEngine, BenchSession } from './engines.js';
import { currentLoad, describeMachine, type MachineInfo, type PageEnvironment } from './machine.js';
import { mergeResults } from './merge-results.js';
import { type NetworkProfile, networkProfiles, type ProfileId, profileIds } from './network/profiles.js';
import { type Exchange, summarizeTraffic } from './network/shaping-link.js';
import { writeRealNames } from './real-names.js';
import { renderAgain, writeReport } from './report.js';
import { ResultSet } from './results.js';
import { webkitBenchEngine } from './webkit-bench-engine.js';
import { webkitDiskEngine } from './webkit-disk-engine.js';
import type { BenchOptions, NetworkContext, Workload } from './workload.js';
import { coldOpenWorkload } from './workloads/cold-open.js';
import { firstUsefulDataWorkload } from './workloads/first-useful-data.js';
import { fullSyncWorkload } from './workloads/full-sync.js';
import { fullSyncAnatomyWorkload } from './workloads/full-sync-anatomy.js';
import { incrementalWorkload } from './workloads/incremental.js';
import { pushWorkload } from './workloads/push.js';
import { searchWorkload } from './workloads/search.js';
import { searchRealWorkload } from './workloads/search-real.js';
import { upversionWorkload } from './workloads/upversion.js';

const benchDir = fileURLToPath(new URL('../', import.meta.url));

const workloads: readonly Workload[] = [
  fullSyncWorkload,
  fullSyncAnatomyWorkload,
  firstUsefulDataWorkload,
  incrementalWorkload,
  upversionWorkload,
  pushWorkload,
  searchWorkload,
  searchRealWorkload,
  coldOpenWorkload,
];

/** Engine ids on the command line: `chromium` and `webkit` (in memory), `chromium-disk` (persistent profile). */
const engineIds = ['chromium', 'webkit', 'chromium-disk', 'webkit-disk'] as const;
type EngineId = (typeof engineIds)[number];

/**
 * What each engine runs by default. The default run (`npm run bench`) is Chromium in memory and WebKit
 * on disk (Safari's SQLite-backed store), every issue workload in both. WebKit in memory (automation
 * sessions) skips the workloads that overwrite or delete records of the full store: its in-memory
 * backend takes minutes per thousand of those at 100k records. `full-sync-anatomy` (ideas measured
 * for the full sync: page sizes, index timing, relaxed durability) and the extra engines run when asked.
 */
const defaultWorkloads: Record<EngineId, readonly string[]> = {
  chromium: [
    'full-sync',
    'first-useful-data',
    'incremental',
    'upversion',
    'push',
    'search',
    'search-real',
    'cold-open',
  ],
  webkit: ['full-sync', 'push', 'search', 'search-real', 'cold-open'],
  'chromium-disk': ['full-sync', 'incremental', 'search-real'],
  'webkit-disk': [
    'full-sync',
    'first-useful-data',
    'incremental',
    'upversion',
    'push',
    'search',
    'search-real',
    'cold-open',
  ],
};

/** The engines of a default run: one Chromium and one WebKit, each with every workload of the issue. */
const defaultEngines: readonly EngineId[] = ['chromium', 'webkit-disk'];

/**
 * The network profiles of a default run (every one); `--smoke` runs loopback and cellular. The
 * workloads of issue #17 (full sync, incremental, push) measure under each; the other workloads
 * that talk to the server (`network: true`: the full-sync anatomy) only when named in
 * `--workloads`, and the rest on loopback.
 */
const defaultProfiles: readonly ProfileId[] = profileIds;
const smokeProfiles: readonly ProfileId[] = ['loopback', 'cellular'];
const profiledWorkloads: readonly string[] = ['full-sync', 'first-useful-data', 'incremental', 'push'];

function engineFor(id: EngineId, hub: ControlHub): BenchEngine {
  if (id === 'chromium') return chromiumBenchEngine('memory');
  if (id === 'chromium-disk') return chromiumBenchEngine('disk');
  if (id === 'webkit-disk') return webkitDiskEngine(hub);
  return webkitBenchEngine();
}

const usage = `node bench/run.mjs [--smoke] [--runs N] [--records N] [--window N] [--changes N]
  [--engines chromium,webkit,chromium-disk,webkit-disk] [--workloads id,...]
  [--profiles loopback,wifi,cellular] [--out DIR]

  --smoke      one run at 1,000 records (pages of 250, 200 changes), Chromium and WebKit in memory
               and WebKit on disk (Safari's SQLite store, where IndexedDB behaves differently), on
               loopback, and full-sync, incremental and push on cellular too; fails if any workload
               fails (CI)
  --profiles   network profiles between the browser and the server (default: all three):
               ${profileIds.map((id) => networkProfiles[id].label).join('\n               ')}
               full-sync, incremental and push run under each (full-sync-anatomy too when named
               in --workloads); the other workloads only on loopback, and only when the list has it
  --engines    default: chromium,webkit-disk (each runs its default workloads, see defaultWorkloads in
               bench/runner/main.ts); webkit (in memory) and chromium-disk on request
  --workloads  run only these workloads: on every engine that runs them by default, and on every
               engine named in --engines even when it does not
  --out        where RESULTS.md and results.json go (default: bench/ for a complete default run,
               bench/.out/ otherwise)
  --render F   rewrite RESULTS.md next to results.json F from its figures (no measuring)
  --merge F1,F2,...  one report from several results.json files (per engine and storage, the last file
               that measured it wins), written to --out (default bench/); no measuring`;

/** Runs the benchmark; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      runs: { type: 'string' },
      records: { type: 'string' },
      window: { type: 'string' },
      changes: { type: 'string' },
      engines: { type: 'string' },
      workloads: { type: 'string' },
      profiles: { type: 'string' },
      out: { type: 'string' },
      render: { type: 'string' },
      merge: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.render !== undefined) {
    console.log(`bench: ${renderAgain(values.render).join(', ')} rendered again`);
    return 0;
  }
  if (values.merge !== undefined) {
    const written = mergeResults(values.merge.split(','), values.out ?? benchDir, expectedFigures());
    console.log(`bench: ${written.join(', ')} written from ${values.merge}`);
    return 0;
  }
  const smoke = values.smoke ?? false;
  const int = (raw: string | undefined, fallback: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`not a positive integer: ${raw}\n${usage}`);
    return n;
  };
  const options: BenchOptions = {
    smoke,
    records: int(values.records, smoke ? 1_000 : 100_000),
    runs: int(values.runs, smoke ? 1 : 5),
    windowSize: int(values.window, smoke ? 250 : 1_000),
    changes: int(values.changes, smoke ? 200 : 1_000),
  };
  const engines = (
    values.engines?.split(',') ?? (smoke ? ['chromium', 'webkit', 'webkit-disk'] : [...defaultEngines])
  ).map((id) => {
    if (!engineIds.includes(id as EngineId)) throw new Error(`unknown engine ${id}\n${usage}`);
    return id as EngineId;
  });
  const profiles: NetworkProfile[] = (
    values.profiles?.split(',') ?? (smoke ? [...smokeProfiles] : [...defaultProfiles])
  ).map((id) => {
    if (!profileIds.includes(id as ProfileId)) throw new Error(`unknown profile ${id}\n${usage}`);
    return networkProfiles[id as ProfileId];
  });
  const loopback = networkProfiles.loopback;
  const selected = values.workloads?.split(',') ?? workloads.map((w) => w.id);
  for (const id of selected) {
    if (!workloads.some((w) => w.id === id)) throw new Error(`unknown workload ${id}\n${usage}`);
  }
  const complete =
    !smoke &&
    values.workloads === undefined &&
    defaultEngines.every((id) => engines.includes(id)) &&
    defaultProfiles.every((id) => profiles.some((p) => p.id === id)) &&
    options.records === 100_000 &&
    options.runs >= 5;
  const outDir = values.out ?? (complete ? benchDir : join(benchDir, '.out'));

  const started = performance.now();
  const results = new ResultSet();
  const hub = new ControlHub();
  const bundleDir = await mkdtemp(join(tmpdir(), 'idb-sync-bench-'));
  let server: BenchServer | undefined;
  let origin: BenchOrigin | undefined;
  let machine: MachineInfo | undefined;
  // Whatever ends the run (a failure, Ctrl-C, a CI timeout), browsers and temporary files go too.
  const exitHook = () => {
    killAllGroups();
    rmSync(bundleDir, { recursive: true, force: true });
  };
  process.once('exit', exitHook);
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: ${signal}: stopping`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Figures so far, rewritten after every workload: a run stopped half way still leaves them.
  // Figures so far, after every workload: beside this run's output, so runs side by side keep their own.
  const partialDir = join(outDir === benchDir ? join(benchDir, '.out') : outDir, 'partial');
  // Every measured step's exchanges on the link (times relative to the step's first request), one
  // JSON line per step: where the time went on a shaped network. Never beside a committed report.
  const exchangeLog = join(outDir === benchDir ? join(benchDir, '.out') : outDir, 'exchanges.jsonl');
  mkdirSync(dirname(exchangeLog), { recursive: true });
  rmSync(exchangeLog, { force: true });
  const writePartial = () => {
    mkdirSync(partialDir, { recursive: true });
    writeReport(partialDir, {
      options,
      engines,
      machine,
      results,
      totalMs: performance.now() - started,
      complete: false,
    });
  };
  try {
    console.log(
      `bench: ${options.records} records, ${options.runs} run(s), pages of ${options.windowSize}, ` +
        `profiles ${profiles.map((p) => p.id).join(', ')}`,
    );
    const [started, bundled] = await Promise.allSettled([
      startBenchServer(options.records),
      withTimeout(bundleBenchPages(bundleDir), 180_000, 'bundling the bench pages'),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (started.status === 'rejected') throw started.reason;
    if (bundled.status === 'rejected') throw bundled.reason;
    if (selected.includes('search-real')) {
      console.log(`bench: ${writeRealNames(bundleDir)} real place names for search-real`);
    }
    const srv = started.value;
    console.log(
      `bench: server seeded with ${srv.records} records of ~${srv.avgRecordBytes} bytes in ${(srv.seedMs / 1000).toFixed(1)} s`,
    );
    const nodeFigure = { engine: 'node', storage: 'memory', profile: loopback.id } as const;
    for (let run = 0; run < options.runs; run += 1) {
      results.add(
        { ...nodeFigure, workload: 'server', impl: 'node-client', metric: 'full pull', unit: 'ms' },
        await srv.timeFullPull(options.windowSize),
      );
    }
    for (const [metric, value] of Object.entries(
      await measureDatasetBytes(srv.server.url, srv.token, options.windowSize),
    )) {
      results.add(
        { ...nodeFigure, workload: 'dataset', impl: 'pull-pages', metric, unit: 'bytes/record' },
        value,
      );
    }
    origin = await serveBenchOrigin(bundleDir, srv.server.url, hub);
    const link = origin.network;
    machine = await describeMachine();

    for (const engineId of engines) {
      const engine = engineFor(engineId, hub);
      const missing = engine.missing();
      if (missing) {
        results.failures.push({
          engine: engine.name,
          storage: engine.storage,
          profile: '*',
          workload: '*',
          error: missing,
        });
        console.error(`${engineId}: cannot run: ${missing}`);
        continue;
      }
      await withTimeout(engine.start(), 60_000, `starting ${engineId}`);
      try {
        for (const workload of workloads) {
          if (!selected.includes(workload.id)) continue;
          const forced = values.workloads !== undefined && values.engines !== undefined;
          if (!smoke && !forced && !defaultWorkloads[engineId].includes(workload.id)) continue;
          const workloadProfiles =
            workload.network && (profiledWorkloads.includes(workload.id) || values.workloads !== undefined)
              ? profiles
              : profiles.filter((p) => p === loopback);
          if (workloadProfiles.length === 0) continue;
          const t0 = performance.now();
          machine.loadSamples.push(currentLoad());
          console.log(
            `\n=== ${engineId} / ${workload.id}: ${workload.title} (load ${currentLoad().toFixed(1)})`,
          );
          const sessions = new Set<BenchSession>();
          const broken = new Set<string>();
          link.use(loopback);
          const network: NetworkContext = {
            get profile() {
              return link.profile;
            },
            profiles: workloadProfiles,
            async forEachProfile(step) {
              for (const profile of this.profiles) {
                link.use(profile);
                console.log(`  --- ${profile.label} (load ${currentLoad().toFixed(1)})`);
                try {
                  await step(profile);
                } finally {
                  link.use(loopback);
                }
              }
            },
            async unshaped(step) {
              const profile = link.profile;
              link.use(loopback);
              try {
                return await step();
              } finally {
                link.use(profile);
              }
            },
            async measure(label, step) {
              const profile = link.profile;
              const capture = link.capture();
              try {
                const value = await step();
                const exchanges = capture.stop();
                return { value, traffic: summarizeTraffic(exchanges, profile), exchanges };
              } finally {
                const where = { engine: engineId, workload: workload.id, profile, label };
                logExchanges(exchangeLog, where, capture.stop());
              }
            },
          };
          try {
            await workload.run({
              engine,
              network,
              server: srv,
              options,
              openSession: async <M>(page: string) => {
                const session = await engine.newSession(30 * 60_000);
                sessions.add(session);
                const url = `${origin!.origin}/index.html?workload=${encodeURIComponent(page)}`;
                await session.driver.openPage(url);
                machine!.pages[engineId] ??= (await session.driver.run(
                  '$environment',
                  [],
                )) as PageEnvironment;
                return { session, tab: new Tab<M>(session.driver, url) };
              },
              record: (impl, metric, unit, sample) =>
                results.add(
                  {
                    workload: workload.id,
                    impl,
                    metric,
                    unit,
                    engine: engine.name,
                    storage: engine.storage,
                    profile: link.profile.id,
                  },
                  sample,
                ),
              note: (text) =>
                results.notes.push({
                  engine: engineId,
                  profile: link.profile.id,
                  workload: workload.id,
                  text,
                }),
              log: (text) => console.log(`  ${text}`),
              guard: async (impl, step) => {
                if (broken.has(impl)) return false;
                try {
                  await step();
                  return true;
                } catch (error) {
                  broken.add(impl);
                  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
                  results.failures.push({
                    engine: engine.name,
                    storage: engine.storage,
                    profile: link.profile.id,
                    workload: `${workload.id} / ${impl}`,
                    error: message,
                  });
                  console.error(`  ${impl} FAILED (skipped for the rest of ${workload.id}):\n${message}`);
                  return false;
                }
              },
            });
            console.log(
              `=== ${engineId} / ${workload.id}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
            );
          } catch (error) {
            const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
            results.failures.push({
              engine: engine.name,
              storage: engine.storage,
              profile: link.profile.id,
              workload: workload.id,
              error: message,
            });
            console.error(`=== ${engineId} / ${workload.id}: FAILED\n${message}`);
          } finally {
            link.use(loopback);
            for (const session of sessions) await session.close().catch(() => {});
            writePartial();
          }
        }
      } finally {
        await engine.stop();
      }
    }
  } finally {
    await origin?.close();
    await server?.close();
    await rm(bundleDir, { recursive: true, force: true });
    process.off('exit', exitHook);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  machine?.loadSamples.push(currentLoad());
  const totalMs = performance.now() - started;
  mkdirSync(outDir, { recursive: true });
  const written = writeReport(outDir, { options, engines, machine, results, totalMs, complete });
  console.log(`\nbench: ${written.join(', ')} written; total ${(totalMs / 1000).toFixed(0)} s`);
  if (results.failures.length > 0) {
    console.error(`bench: ${results.failures.length} workload(s) failed`);
    return 1;
  }
  return 0;
}

/** What a complete report holds: per engine of a default run, each default workload under its profiles. */
function expectedFigures(): Record<string, Record<string, readonly string[]>> {
  return Object.fromEntries(
    defaultEngines.map((id) => [
      id,
      Object.fromEntries(
        defaultWorkloads[id].map((w) => [
          w,
          profiledWorkloads.includes(w) ? defaultProfiles : [networkProfiles.loopback.id],
        ]),
      ),
    ]),
  );
}

/** Appends one measured step's exchanges to the run's exchange log (times relative to its first request). */
function logExchanges(
  path: string,
  step: { engine: string; workload: string; profile: NetworkProfile; label: string },
  exchanges: readonly Exchange[],
): void {
  const t0 = exchanges[0]?.requestStartedAt ?? 0;
  const at = (t: number | undefined) => (t === undefined ? null : Math.round((t - t0) * 10) / 10);
  const line = {
    engine: step.engine,
    workload: step.workload,
    profile: step.profile.id,
    step: step.label,
    // [path, connection, handshake, request bytes, response bytes, request started, request
    // delivered, response started, response due, response delivered, late ms]
    exchanges: exchanges.map((e) => [
      e.path,
      e.connection,
      e.handshake,
      e.requestBytes,
      e.responseBytes,
      at(e.requestStartedAt),
      at(e.requestDeliveredAt),
      at(e.responseStartedAt),
      at(e.responseDueAt),
      at(e.responseDeliveredAt),
      Math.round(e.lateMs * 10) / 10,
    ]),
  };
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}
