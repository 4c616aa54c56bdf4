import type * as page from '../../page/workloads/search.page.js';
import { median } from '../stats.js';
import type { Workload } from '../workload.js';

const PAGE_SIZE = 20;
const PAGES = 11;
const IMPLS: readonly page.SearchImpl[] = ['raw-index', 'idb-sync'];

export const searchWorkload: Workload = {
  id: 'search',
  title: 'Keyword search and paging on the lookup records',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('search');
    try {
      const { records, windowSize, runs } = ctx.options;
      const counts = await tab.run('setup', { token: ctx.server.token }, windowSize);
      if (counts.raw !== records || counts.idbSync !== records)
        throw new Error(`setup wrote ${JSON.stringify(counts)} records, expected ${records} each`);
      const kinds: page.QueryKind[] = ['token', 'prefix', 'two-tokens'];
      for (let run = 0; run < runs; run += 1) {
        // Alternate which implementation goes first, as the other workloads rotate theirs.
        const impls = run % 2 === 0 ? IMPLS : [...IMPLS].reverse();
        for (const impl of impls) {
          for (const kind of kinds) {
            const { ms, sizes } = await tab.run('search', impl, kind, PAGE_SIZE, PAGES);
            // A short first page is only right when the results ran out on it (small smoke datasets).
            const first = sizes[0] ?? 0;
            if (first === 0 || (first < PAGE_SIZE && sizes.length > 1)) {
              throw new Error(`${impl} ${kind}: the first page held ${first} records`);
            }
            ctx.record(impl, `${kind}: first page`, 'ms', ms[0]!);
            if (ms.length > 1) ctx.record(impl, `${kind}: next page`, 'ms', median(ms.slice(1)));
            ctx.log(
              `${impl} ${kind} run ${run + 1}: first ${ms[0]!.toFixed(1)} ms, next ${median(ms.slice(1)).toFixed(1)} ms`,
            );
          }
        }
      }
      ctx.note(
        `pages of ${PAGE_SIZE}; "next page" is the median of the ${PAGES - 1} pages after the first in a run.`,
      );
    } finally {
      await session.close();
    }
  },
};
