import type * as page from '../../page/workloads/upversion.page.js';
import { rotate, type Workload } from '../workload.js';

export const upversionWorkload: Workload = {
  id: 'upversion',
  title: 'Schema upgrade of the full store: add one index; migrate one field of every record',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('upversion');
    try {
      const { records, windowSize, runs } = ctx.options;
      const impls: page.UpversionImpl[] = ['raw', 'idb-sync'];
      const count = await tab.run('setup', { token: ctx.server.token }, windowSize);
      if (count !== records) throw new Error(`setup wrote ${count} records, expected ${records}`);
      // Each migration step flips the case of every name: a step number per database.
      const steps: Record<page.UpversionImpl, number> = { raw: 0, 'idb-sync': 0 };
      for (let run = 0; run < runs; run += 1) {
        for (const impl of rotate(impls, run)) {
          await ctx.guard(impl, async () => {
            const ms = await tab.run('addIndex', impl, records);
            ctx.record(impl, 'add-index', 'ms', ms);
            await tab.run('dropIndex', impl);
            steps[impl] += 1;
            const migrated = await tab.run('migrate', impl, steps[impl]);
            ctx.record(impl, 'migrate-field', 'ms', migrated);
            ctx.log(
              `${impl} run ${run + 1}: add index ${ms.toFixed(0)} ms, migration ${migrated.toFixed(0)} ms`,
            );
          });
        }
      }
      // The naive raw migration (a cursor updating record after record) once: Chromium walks it at
      // one request round trip per record, minutes at 100k records, too slow to repeat.
      await ctx.guard('raw-cursor', async () => {
        steps.raw += 1;
        const naive = await tab.run('migrate', 'raw', steps.raw, 'cursor');
        ctx.record('raw-cursor', 'migrate-field', 'ms', naive);
        ctx.log(`raw-cursor (once): migration ${naive.toFixed(0)} ms`);
      });
    } finally {
      await session.close();
    }
  },
};
