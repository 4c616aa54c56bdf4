import type { DemoDatabase, DemoSchema } from './schema.js';
import { type PriceBand, priceBandOf, type ServiceType } from './schema.js';
import { type LookupFilter, type LookupPage, searchLookup } from './sdk.js';

/** How the picker orders its results (after exact word matches, which always come first). */
export type PickerSort = 'relevance' | 'price-asc' | 'price-desc';
export const PICKER_SORTS: readonly PickerSort[] = ['relevance', 'price-asc', 'price-desc'];

/** What the picker asks for. */
export interface SearchQuery {
  /** Keywords; each must start a word of the code or the name (case and accents ignored). Default: none. */
  readonly query?: string;
  readonly category?: string;
  /** Uses the v2 index `byPriceBand` when there is one. */
  readonly priceBand?: PriceBand;
  /** Lowest and highest price shown (both included), on the `byPrice` index. Default: none. */
  readonly minPrice?: number;
  readonly maxPrice?: number;
  /** Default `'relevance'`: whole-word matches first, then by id. */
  readonly sort?: PickerSort;
  readonly activeOnly?: boolean;
  /** 0-based page. */
  readonly page?: number;
  readonly pageSize?: number;
}

export interface SearchResult {
  readonly rows: ServiceType[];
  /** The number of matches (`searchLookup`'s exact count, asked once per query). */
  readonly total: number;
  readonly hasMore: boolean;
}

type ServiceTypeQuery = Parameters<typeof searchLookup<DemoSchema, 'service_types'>>[2];

/**
 * The picker's search, on the SDK's `searchLookup`: keywords on the multiEntry `byToken` index (the
 * tokens the sync client's `fromServer` made), the category, the v2 price band and a price range as
 * indexed filters, the "active" flag checked in memory (`where`), ordered by relevance or by price,
 * with the exact count of matches.
 *
 * `searchLookup` pages with a cursor (the last record's position: stable when records change
 * between pages); the picker shows page numbers, so the cursor that opens each page is remembered
 * per query, and a page never visited is reached by walking the pages before it.
 */
export async function searchServiceTypes(
  database: DemoDatabase,
  search: SearchQuery,
  options: { readonly hasPriceBand: boolean },
): Promise<SearchResult> {
  const pageSize = search.pageSize ?? 20;
  const page = Math.max(0, search.page ?? 0);
  const query = lookupQuery(search, pageSize, options.hasPriceBand);
  const remembered = pageCursors(
    database,
    JSON.stringify([
      search.query ?? '',
      search.category,
      search.priceBand,
      search.minPrice,
      search.maxPrice,
      search.sort ?? 'relevance',
      search.activeOnly === true,
      pageSize,
    ]),
  );
  const cursors = remembered.cursors;

  // Walk from the nearest page whose cursor is known (page 0 starts with none).
  let from = Math.min(page, cursors.length - 1);
  while (from > 0 && cursors[from] === undefined) from -= 1;
  let result: LookupPage<ServiceType, string> | undefined;
  for (let p = from; p <= page; p += 1) {
    const after = cursors[p];
    // The count comes with the query's first page read (the cursor goes on from the same position).
    const counting = remembered.total === undefined;
    result = await searchLookup(database, 'service_types', {
      ...query,
      ...(after === undefined ? {} : { after }),
      ...(counting ? { count: true } : {}),
    });
    if (result.total !== undefined) remembered.total = result.total;
    if (result.nextCursor === undefined) {
      cursors.length = p + 1;
      if (p < page) return { rows: [], total: remembered.total ?? 0, hasMore: false };
      break;
    }
    cursors[p + 1] = result.nextCursor;
  }
  const rows = result?.items ?? [];
  const hasMore = result?.nextCursor !== undefined;
  return { rows, total: remembered.total ?? rows.length, hasMore };
}

function lookupQuery(search: SearchQuery, pageSize: number, hasPriceBand: boolean): ServiceTypeQuery {
  const { category, priceBand, activeOnly, minPrice, maxPrice, sort } = search;
  const filter: LookupFilter<DemoSchema, 'service_types'>[] = [];
  if (category !== undefined) filter.push({ index: 'byCategory', equals: category });
  const bandIndexed = priceBand !== undefined && hasPriceBand;
  if (bandIndexed) filter.push({ index: 'byPriceBand', equals: priceBand });
  if (minPrice !== undefined || maxPrice !== undefined) {
    filter.push({
      index: 'byPrice',
      ...(minPrice === undefined ? {} : { atLeast: minPrice }),
      ...(maxPrice === undefined ? {} : { atMost: maxPrice }),
    });
  }
  const checkBand = priceBand !== undefined && !bandIndexed;
  const where =
    checkBand || activeOnly === true
      ? (st: ServiceType) =>
          (!checkBand || (st.priceBand ?? priceBandOf(st.price)) === priceBand) &&
          (activeOnly !== true || st.active)
      : undefined;
  return {
    index: 'byToken',
    text: search.query ?? '',
    pageSize,
    ...(filter.length === 0 ? {} : { filter }),
    ...(sort === 'price-asc' || sort === 'price-desc'
      ? { orderBy: { index: 'byPrice', direction: sort === 'price-asc' ? 'asc' : 'desc' } }
      : {}),
    ...(where === undefined ? {} : { where }),
  };
}

/** What the picker remembers of a query: the cursor opening each page it saw, and its count. */
interface RememberedQuery {
  readonly cursors: (string | undefined)[];
  total: number | undefined;
}

/** Remembered queries, per database (the newest ones only). */
const queriesByDatabase = new WeakMap<DemoDatabase, Map<string, RememberedQuery>>();
const REMEMBERED_QUERIES = 50;

function pageCursors(database: DemoDatabase, key: string): RememberedQuery {
  let byQuery = queriesByDatabase.get(database);
  if (byQuery === undefined) {
    byQuery = new Map();
    queriesByDatabase.set(database, byQuery);
  }
  let remembered = byQuery.get(key);
  if (remembered === undefined) {
    remembered = { cursors: [undefined], total: undefined };
    if (byQuery.size >= REMEMBERED_QUERIES) byQuery.delete(byQuery.keys().next().value as string);
  } else {
    byQuery.delete(key);
  }
  byQuery.set(key, remembered);
  return remembered;
}

/** Forgets the remembered counts: the store changed (a sync). Cursors stay valid across changes. */
export function forgetCounts(database: DemoDatabase): void {
  for (const remembered of queriesByDatabase.get(database)?.values() ?? []) remembered.total = undefined;
}
