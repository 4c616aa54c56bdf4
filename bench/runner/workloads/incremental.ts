import type * as page from '../../page/workloads/incremental.page.js';
import { recordTraffic } from '../network/traffic-figures.js';
import { rotate, type Workload } from '../workload.js';

export const incrementalWorkload: Workload = {
  id: 'incremental',
  title: 'Incremental sync of a batch of server changes into the full store',
  network: true,
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('incremental');
    try {
      const { records, windowSize, runs, changes } = ctx.options;
      const access = { token: ctx.server.token };
      const impls: page.IncrementalImpl[] = ['raw-put', 'raw-pipelined', 'dexie-loop', 'rxdb', 'idb-sync'];
      const args = (impl: page.IncrementalImpl) => ({ impl, access, windowSize, expected: records });
      await tab.run('resetStorage');
      // The initial full syncs are setup, not measured: they cross the link unshaped.
      for (const impl of impls) {
        await ctx.guard(impl, async () => {
          const count = await ctx.network.unshaped(() => tab.run('setup', args(impl)));
          if (count !== records)
            throw new Error(`${impl}: setup synced ${count} records, expected ${records}`);
        });
      }
      await ctx.network.forEachProfile(async () => {
        for (let run = 0; run < runs; run += 1) {
          const batch = await ctx.server.applyChangeBatch(changes);
          await ctx.guard('raw-put', async () => {
            const fetched = await ctx.network.unshaped(() => tab.run('prefetchChanges', access, windowSize));
            if (fetched !== batch.puts + batch.deletes) {
              throw new Error(
                `the raw baseline fetched ${fetched} changes, expected ${batch.puts + batch.deletes}`,
              );
            }
          });
          for (const impl of rotate(impls, run)) {
            await ctx.guard(impl, async () => {
              const measured = await ctx.network.measure(`${impl} run ${run + 1}`, () =>
                tab.run('incremental', args(impl)),
              );
              const { ms, breakdown } = measured.value;
              ctx.record(impl, 'time', 'ms', ms);
              // raw-put's changes were fetched before its clock started: it moves nothing here.
              if (impl !== 'raw-put') {
                recordTraffic(ctx, impl, measured, { items: batch.puts + batch.deletes, ms });
              }
              for (const [part, partMs] of Object.entries(breakdown ?? {})) {
                ctx.record(impl, `time: ${part}`, 'ms', partMs);
              }
              ctx.log(`${impl} run ${run + 1}: ${ms.toFixed(0)} ms`);
            });
          }
        }
      });
      ctx.note(
        `each run: ${changes} server changes (60% updates, 20% creates, 20% deletes) into ${records} records`,
      );
    } finally {
      await session.close();
    }
  },
};
