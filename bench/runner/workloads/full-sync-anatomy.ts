import type { Tab } from '../../../e2e/harness/scenario.js';
import type * as page from '../../page/workloads/full-sync-anatomy.page.js';
import { rotate, type Workload, type WorkloadContext } from '../workload.js';

export const fullSyncAnatomyWorkload: Workload = {
  id: 'full-sync-anatomy',
  title: 'Where the full sync time goes (diagnostics: parts of the work over the same pages)',
  network: true,
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('full-sync-anatomy');
    try {
      await ctx.network.forEachProfile(() => anatomy(ctx, tab));
    } finally {
      await session.close();
    }
  },
};

/** Every variant, `runs` times, under the link's current profile. */
async function anatomy(ctx: WorkloadContext, tab: Tab<typeof page>): Promise<void> {
  const { records, windowSize, runs } = ctx.options;
  const access = { token: ctx.server.token };
  // Every variant of the page (the type makes a missing or unknown name a compile error).
  const variants = [
    'fetch-json',
    'idb-sync-transport',
    'raw-pipelined',
    'raw-pipelined-idb-sync-tx-shape',
    'raw-pipelined-unique-reads',
    'raw-pipelined-pages-of-5000',
    'raw-pipelined-indexes-after',
    'idb-sync',
    'idb-sync-pages-of-5000',
  ] as const satisfies readonly page.AnatomyVariant[];
  // BENCH_ANATOMY_VARIANTS=raw-pipelined,idb-sync: measure only these.
  const only = process.env['BENCH_ANATOMY_VARIANTS']?.split(',');
  const chosen = variants.filter((variant) => only === undefined || only.includes(variant));
  for (let run = 0; run < runs; run += 1) {
    for (const variant of rotate(chosen, run)) {
      await ctx.guard(variant, async () => {
        const result = await tab.run('anatomy', variant, access, windowSize);
        if (result.records !== records) {
          throw new Error(`${variant}: ${result.records} records, expected ${records}`);
        }
        ctx.record(variant, 'time', 'ms', result.ms);
        ctx.log(`${variant} run ${run + 1}: ${result.ms.toFixed(0)} ms`);
      });
    }
  }
}
