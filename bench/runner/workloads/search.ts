import type * as page from '../../page/workloads/search.page.js';
import { median } from '../stats.js';
import type { Workload } from '../workload.js';

const PAGE_SIZE = 20;
const PAGES = 11;

export const searchWorkload: Workload = {
  id: 'search',
  title: 'Keyword search and paging on the lookup records',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('search');
    try {
      const { records, windowSize, runs } = ctx.options;
      const count = await tab.run('setup', { token: ctx.server.token }, windowSize);
      if (count !== records) throw new Error(`setup wrote ${count} records, expected ${records}`);
      const kinds: page.QueryKind[] = ['token', 'prefix', 'two-tokens'];
      for (let run = 0; run < runs; run += 1) {
        for (const kind of kinds) {
          const { ms, sizes } = await tab.run('search', 'raw-index', kind, PAGE_SIZE, PAGES);
          // A short first page is only right when the results ran out on it (small smoke datasets).
          const first = sizes[0] ?? 0;
          if (first === 0 || (first < PAGE_SIZE && sizes.length > 1)) {
            throw new Error(`${kind}: the first page held ${first} records`);
          }
          ctx.record('raw-index', `${kind}: first page`, 'ms', ms[0]!);
          if (ms.length > 1) ctx.record('raw-index', `${kind}: next page`, 'ms', median(ms.slice(1)));
          ctx.log(
            `${kind} run ${run + 1}: first ${ms[0]!.toFixed(1)} ms, next ${median(ms.slice(1)).toFixed(1)} ms`,
          );
        }
      }
      ctx.note(
        `pages of ${PAGE_SIZE}; "next page" is the median of the ${PAGES - 1} pages after the first in a run. idb-sync has no query API yet: its figure is pending, the raw multiEntry index is the baseline.`,
      );
    } finally {
      await session.close();
    }
  },
};
