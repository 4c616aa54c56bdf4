import type { DemoDatabase } from './schema.js';
import { type PriceBand, priceBandOf, type ServiceType } from './schema.js';

/** What the picker asks for. */
export interface SearchQuery {
  /** Keywords; each must prefix one of a record's tokens (case-insensitive). Default: none. */
  readonly query?: string;
  readonly category?: string;
  /** Needs the v2 index `byPriceBand`. */
  readonly priceBand?: PriceBand;
  readonly activeOnly?: boolean;
  /** 0-based page. */
  readonly page?: number;
  readonly pageSize?: number;
}

export interface SearchResult {
  readonly rows: ServiceType[];
  /** The number of matches, when known (one index range answers the query, or the walk ended); else `null`. */
  readonly total: number | null;
  readonly hasMore: boolean;
}

/**
 * Searches the local `service_types` with one index range, chosen by the most selective part of the
 * query: the first keyword's prefix on the multiEntry `byToken` index, else the category, else the
 * price band (v2), else the whole store. Other conditions are checked on each record while the cursor
 * walks. Everything runs in one readonly transaction that only awaits its own cursor requests.
 */
export async function searchServiceTypes(
  database: DemoDatabase,
  search: SearchQuery,
  options: { readonly hasPriceBand: boolean },
): Promise<SearchResult> {
  const pageSize = search.pageSize ?? 20;
  const page = Math.max(0, search.page ?? 0);
  const words = (search.query ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);
  const [first, ...rest] = words;
  const wanted = (st: ServiceType) =>
    (search.category === undefined || st.category === search.category) &&
    (search.priceBand === undefined || (st.priceBand ?? priceBandOf(st.price)) === search.priceBand) &&
    (search.activeOnly !== true || st.active) &&
    rest.every((w) => st.tokens.some((t) => t.startsWith(w)));

  return database.read(['service_types'], async (tx) => {
    const store = tx.objectStore('service_types');
    let source: ReturnType<typeof store.index> | typeof store;
    let range: IDBKeyRange | null = null;
    // Whether the range alone decides membership (then its count is the total).
    let exact = search.activeOnly !== true;
    if (first !== undefined) {
      source = store.index('byToken');
      range = IDBKeyRange.bound(first, `${first}\uffff`);
    } else if (search.category !== undefined) {
      source = store.index('byCategory');
      range = IDBKeyRange.only(search.category);
      exact &&= search.priceBand === undefined;
    } else if (search.priceBand !== undefined && options.hasPriceBand) {
      source = store.index('byPriceBand');
      range = IDBKeyRange.only(search.priceBand);
    } else {
      source = store;
      exact &&= search.priceBand === undefined;
    }
    const skip = page * pageSize;
    const rows: ServiceType[] = [];
    if (exact && first === undefined) {
      // The range alone is the answer: count it and jump straight to the page.
      const countRequest = source.count(range);
      let cursor = await source.openCursor(range);
      if (cursor !== null && skip > 0) cursor = await cursor.advance(skip);
      while (cursor !== null && rows.length < pageSize) {
        rows.push(cursor.value as ServiceType);
        cursor = await cursor.continue();
      }
      const total = await countRequest;
      return { rows, total, hasMore: skip + pageSize < total };
    }
    // A prefix can match two tokens of one record: count each record once.
    const seen = new Set<string>();
    let matched = 0;
    let cursor = await source.openCursor(range);
    while (cursor !== null) {
      const st = cursor.value as ServiceType;
      if (!seen.has(st.id) && wanted(st)) {
        seen.add(st.id);
        if (matched >= skip && rows.length < pageSize) rows.push(st);
        matched += 1;
        if (matched > skip + pageSize) break;
      }
      cursor = await cursor.continue();
    }
    // The walk reached the end of the range: then the count is known.
    const total = cursor === null ? matched : null;
    return { rows, total, hasMore: cursor !== null };
  });
}
