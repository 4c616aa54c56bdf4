import type * as page from '../../page/workloads/cold-open.page.js';
import { rotate, type Workload } from '../workload.js';

export const coldOpenWorkload: Workload = {
  id: 'cold-open',
  title: 'Cold open: first use of the database to the first query result, after a page load',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('cold-open');
    try {
      const { records, windowSize, runs } = ctx.options;
      const impls: page.ColdOpenImpl[] = ['raw', 'dexie', 'rxdb', 'idb-sync'];
      const counts = await tab.run('setup', { token: ctx.server.token }, windowSize);
      for (const impl of impls) {
        if (counts[impl] !== records) throw new Error(`${impl}: setup wrote ${counts[impl]} records`);
      }
      for (let run = 0; run < runs; run += 1) {
        for (const impl of rotate(impls, run)) {
          // A fresh page: no connection, no module state, as when the app starts.
          await tab.reload();
          // Upper half of the seeded ids: the incremental workload deletes from the bottom.
          const half = Math.floor(records / 2);
          const id = `st-${String(half + 1 + ((run * 7919) % half)).padStart(6, '0')}`;
          await ctx.guard(impl, async () => {
            const ms = await tab.run('coldOpen', impl, id);
            ctx.record(impl, 'time', 'ms', ms);
            ctx.log(`${impl} run ${run + 1}: ${ms.toFixed(1)} ms`);
          });
        }
      }
    } finally {
      await session.close();
    }
  },
};
