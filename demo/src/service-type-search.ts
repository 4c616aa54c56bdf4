import type { DemoDatabase, DemoSchema } from './schema.js';
import { type PriceBand, priceBandOf, type ServiceType } from './schema.js';
import { type LookupPage, searchLookup } from './sdk.js';

/** What the picker asks for. */
export interface SearchQuery {
  /** Keywords; each must start a word of the code or the name (case and accents ignored). Default: none. */
  readonly query?: string;
  readonly category?: string;
  /** Uses the v2 index `byPriceBand` when there is one. */
  readonly priceBand?: PriceBand;
  readonly activeOnly?: boolean;
  /** 0-based page. */
  readonly page?: number;
  readonly pageSize?: number;
}

export interface SearchResult {
  readonly rows: ServiceType[];
  /** The number of matches, when known (one index range answers the query, or this is the last page); else `null`. */
  readonly total: number | null;
  readonly hasMore: boolean;
}

type ServiceTypeQuery = Parameters<typeof searchLookup<DemoSchema, 'service_types'>>[2];

/**
 * The picker's search, on the SDK's `searchLookup`: keywords on the multiEntry `byToken` index (the
 * tokens the sync client's `fromServer` made), the category (or, without one, the v2 price band) as
 * its indexed filter, and the other conditions checked in memory (`where`).
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
  const cursors = pageCursors(
    database,
    JSON.stringify([
      search.query ?? '',
      search.category,
      search.priceBand,
      search.activeOnly === true,
      pageSize,
    ]),
  );

  // Walk from the nearest page whose cursor is known (page 0 starts with none).
  let from = Math.min(page, cursors.length - 1);
  while (from > 0 && cursors[from] === undefined) from -= 1;
  let result: LookupPage<ServiceType, string> | undefined;
  for (let p = from; p <= page; p += 1) {
    const after = cursors[p];
    result = await searchLookup(database, 'service_types', after === undefined ? query : { ...query, after });
    if (result.nextCursor === undefined) {
      cursors.length = p + 1;
      if (p < page) return { rows: [], total: p * pageSize + result.items.length, hasMore: false };
      break;
    }
    cursors[p + 1] = result.nextCursor;
  }
  const rows = result?.items ?? [];
  const hasMore = result?.nextCursor !== undefined;
  const total = hasMore
    ? await countIfIndexed(database, search, options.hasPriceBand)
    : page * pageSize + rows.length;
  return { rows, total, hasMore };
}

function lookupQuery(search: SearchQuery, pageSize: number, hasPriceBand: boolean): ServiceTypeQuery {
  const { category, priceBand, activeOnly } = search;
  // The category is the indexed filter; without one, the v2 price band is.
  const bandIndexed = category === undefined && priceBand !== undefined && hasPriceBand;
  const filter =
    category !== undefined
      ? { index: 'byCategory' as const, equals: category }
      : bandIndexed
        ? { index: 'byPriceBand' as const, equals: priceBand }
        : undefined;
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
    ...(filter === undefined ? {} : { filter }),
    ...(where === undefined ? {} : { where }),
  };
}

/** The count of matches when one index range alone answers the query (no keywords, no in-memory condition). */
async function countIfIndexed(database: DemoDatabase, search: SearchQuery, hasPriceBand: boolean) {
  const words = (search.query ?? '').trim();
  if (words !== '' || search.activeOnly === true) return null;
  const { category, priceBand } = search;
  if (category !== undefined && priceBand === undefined) {
    return database.read(['service_types'], (tx) => tx.store.index('byCategory').count(category));
  }
  if (category === undefined && priceBand !== undefined && hasPriceBand) {
    return database.read(['service_types'], (tx) => tx.store.index('byPriceBand').count(priceBand));
  }
  if (category === undefined && priceBand === undefined) return database.count('service_types');
  return null;
}

/** Remembered page cursors, per database and query (the newest queries only). */
const cursorsByDatabase = new WeakMap<DemoDatabase, Map<string, (string | undefined)[]>>();
const REMEMBERED_QUERIES = 50;

function pageCursors(database: DemoDatabase, key: string): (string | undefined)[] {
  let byQuery = cursorsByDatabase.get(database);
  if (byQuery === undefined) {
    byQuery = new Map();
    cursorsByDatabase.set(database, byQuery);
  }
  let cursors = byQuery.get(key);
  if (cursors === undefined) {
    cursors = [undefined];
    if (byQuery.size >= REMEMBERED_QUERIES) byQuery.delete(byQuery.keys().next().value as string);
  } else {
    byQuery.delete(key);
  }
  byQuery.set(key, cursors);
  return cursors;
}
