import type { Tab } from '../../../e2e/harness/scenario.js';
import type * as page from '../../page/workloads/full-sync.page.js';
import type { BenchSession } from '../engines.js';
import { traceMemory } from '../memory-sampler.js';
import { isShaped } from '../network/profiles.js';
import { recordTraffic } from '../network/traffic-figures.js';
import { rotate, type Workload, type WorkloadContext } from '../workload.js';

type Impl = page.FullSyncImpl;
type Opened = { session: BenchSession; tab: Tab<typeof page> };

/** `BENCH_FULL_SYNC_IMPLS=raw-one-tx,idb-sync`: measure only these (a quick before/after). */
const only = process.env['BENCH_FULL_SYNC_IMPLS']?.split(',');
const chosen = (impls: Impl[]) => impls.filter((impl) => only === undefined || only.includes(impl));
/** The baselines that write records already in memory. */
const inMemory: Impl[] = chosen(['raw-one-tx', 'raw-paged']);
/** Everything that pulls pages from the server (memory is traced for these). */
const overNetwork: Impl[] = chosen(['raw-pipelined', 'dexie-loop', 'rxdb', 'idb-sync']);

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const fullSyncWorkload: Workload = {
  id: 'full-sync',
  title: 'Initial full sync of the lookup collection, until queryable',
  network: true,
  run: (ctx) => ctx.network.forEachProfile(() => measureFullSync(ctx)),
};

/** Every figure of the full sync under the link's current profile. */
async function measureFullSync(ctx: WorkloadContext): Promise<void> {
  const { records, windowSize, runs } = ctx.options;
  const access = { token: ctx.server.token };
  const args = (impl: Impl) => ({ impl, dbName: `bench-${impl}`, access, windowSize, expected: records });
  const load = async (tab: Opened['tab']) => {
    const loaded = await ctx.network.unshaped(() => tab.run('loadIntoMemory', access, windowSize));
    if (loaded !== records) throw new Error(`the server sent ${loaded} records, expected ${records}`);
  };
  // On a shaped network only the implementations that pull are measured: the in-memory write
  // baselines and the memory figures do not depend on the network (loopback measures them).
  const shaped = isShaped(ctx.network.profile);

  // In memory, one session serves every measurement (databases are deleted between runs). On
  // disk, every measurement gets a new profile: a profile in which 100k-record databases were
  // created and deleted again and again grows slower run after run (Chromium's LevelDB keeps
  // compacting the deleted data), which would bill later runs for earlier ones.
  const shared =
    ctx.engine.storage === 'memory' ? await ctx.openSession<typeof page>('full-sync') : undefined;
  const baselines = shaped ? [] : inMemory;
  const measure = async (step: (opened: Opened, fresh: boolean) => Promise<void>) => {
    if (shared) return step(shared, false);
    const fresh = await ctx.openSession<typeof page>('full-sync');
    try {
      await step(fresh, true);
    } finally {
      await fresh.session.close();
    }
  };
  try {
    if (shared && baselines.length > 0) await load(shared.tab);
    for (let run = 0; run < runs; run += 1) {
      for (const impl of rotate(baselines, run)) {
        await ctx.guard(impl, () =>
          measure(async ({ tab }, fresh) => {
            if (fresh) await load(tab);
            const { ms } = await tab.run('fullSync', args(impl));
            ctx.record(impl, 'time', 'ms', ms);
            ctx.record(impl, 'throughput', 'records/s', records / (ms / 1000));
            ctx.log(`${impl} run ${run + 1}: ${ms.toFixed(0)} ms`);
          }),
        );
      }
    }
    if (shared) await shared.tab.run('dropMemory');

    for (let run = 0; run < runs; run += 1) {
      for (const impl of rotate(overNetwork, run)) {
        await ctx.guard(impl, () =>
          measure(async ({ session, tab }, fresh) => {
            // A fresh page: what an earlier implementation left in the heap (caches, pending
            // finalizers) must not be freed during this one's trace.
            if (!fresh) await tab.reload();
            const { value: measured, trace } = await traceMemory(session.memory, () =>
              ctx.network.measure(`${impl} run ${run + 1}`, () => tab.run('fullSync', args(impl))),
            );
            const { value } = measured;
            ctx.record(impl, 'time', 'ms', value.ms);
            recordTraffic(ctx, impl, measured, { items: records, ms: value.ms });
            ctx.record(impl, 'throughput', 'records/s', records / (value.ms / 1000));
            ctx.record(impl, 'peak-memory', 'bytes', trace.peak - trace.baseline);
            ctx.record(impl, 'peak-memory-first-half', 'bytes', trace.peakFirstHalf - trace.baseline);
            ctx.record(impl, 'peak-memory-second-half', 'bytes', trace.peakSecondHalf - trace.baseline);
            for (const [part, ms] of Object.entries(value.breakdown ?? {})) {
              ctx.record(impl, `time: ${part}`, 'ms', ms);
            }
            const { traffic } = measured;
            ctx.log(
              `${impl} run ${run + 1}: ${value.ms.toFixed(0)} ms, peak +${mb(trace.peak - trace.baseline)}, ` +
                `${Math.round((traffic.upBytes + traffic.downBytes) / records)} B/record on the wire in ${traffic.requests} requests`,
            );
          }),
        );
      }
    }

    // Memory figures come from the in-memory sessions (the storage does not change them).
    if (shaped || !shared || !(await shared.session.memory.collectGarbage())) return;
    const { session, tab } = shared;

    // Live memory: one more sync per implementation, not timed, with a full collection before
    // each reading (every 250 ms), so the peak is what the sync keeps alive, not garbage.
    for (const impl of overNetwork) {
      await ctx.guard(impl, async () => {
        await tab.reload();
        // BENCH_WARM_LIVE=1: one untraced sync first, so the trace holds data, not newly compiled code.
        if (process.env['BENCH_WARM_LIVE'] === '1') await tab.run('fullSync', args(impl));
        const { trace } = await traceMemory(session.memory, () => tab.run('fullSync', args(impl)), {
          intervalMs: 250,
          collectEachTime: true,
        });
        ctx.record(impl, 'peak-live-memory', 'bytes', trace.peak - trace.baseline);
        ctx.record(impl, 'peak-live-memory-first-half', 'bytes', trace.peakFirstHalf - trace.baseline);
        ctx.record(impl, 'peak-live-memory-second-half', 'bytes', trace.peakSecondHalf - trace.baseline);
        ctx.record(impl, 'median-live-memory', 'bytes', trace.median - trace.baseline);
        ctx.log(
          `${impl} live memory: peak +${mb(trace.peak - trace.baseline)}, median +${mb(trace.median - trace.baseline)} ` +
            `(${trace.samples} readings)`,
        );
      });
    }

    // The memory one parsed page takes, to compare the peaks against.
    for (let run = 0; run < runs; run += 1) {
      await tab.reload();
      await tab.run('resetStorage');
      await session.memory.collectGarbage();
      const before = await session.memory.read();
      await tab.run('holdOnePage', access, windowSize);
      await session.memory.collectGarbage();
      const after = await session.memory.read();
      const held = await tab.run('releasePage');
      if (held !== windowSize) throw new Error(`the page held ${held} records, expected ${windowSize}`);
      ctx.record('one-page', 'memory', 'bytes', after - before);
    }
  } finally {
    await shared?.session.close();
  }
}
