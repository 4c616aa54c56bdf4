import type * as page from '../../page/workloads/incremental.page.js';
import { rotate, type Workload } from '../workload.js';

export const incrementalWorkload: Workload = {
  id: 'incremental',
  title: 'Incremental sync of a batch of server changes into the full store',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('incremental');
    try {
      const { records, windowSize, runs, changes } = ctx.options;
      const access = { token: ctx.server.token };
      const impls: page.IncrementalImpl[] = ['raw-put', 'raw-pipelined', 'dexie-loop', 'rxdb', 'idb-sync'];
      const args = (impl: page.IncrementalImpl) => ({ impl, access, windowSize, expected: records });
      await tab.run('resetStorage');
      for (const impl of impls) {
        await ctx.guard(impl, async () => {
          const count = await tab.run('setup', args(impl));
          if (count !== records)
            throw new Error(`${impl}: setup synced ${count} records, expected ${records}`);
        });
      }
      for (let run = 0; run < runs; run += 1) {
        const batch = await ctx.server.applyChangeBatch(changes);
        await ctx.guard('raw-put', async () => {
          const fetched = await tab.run('prefetchChanges', access, windowSize);
          if (fetched !== batch.puts + batch.deletes) {
            throw new Error(
              `the raw baseline fetched ${fetched} changes, expected ${batch.puts + batch.deletes}`,
            );
          }
        });
        for (const impl of rotate(impls, run)) {
          await ctx.guard(impl, async () => {
            const { ms, breakdown } = await tab.run('incremental', args(impl));
            ctx.record(impl, 'time', 'ms', ms);
            for (const [part, partMs] of Object.entries(breakdown ?? {})) {
              ctx.record(impl, `time: ${part}`, 'ms', partMs);
            }
            ctx.log(`${impl} run ${run + 1}: ${ms.toFixed(0)} ms`);
          });
        }
      }
      ctx.note(
        `each run: ${changes} server changes (60% updates, 20% creates, 20% deletes) into ${records} records`,
      );
    } finally {
      await session.close();
    }
  },
};
