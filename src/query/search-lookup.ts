import type { StoreKey, StoreNames, StoreValue } from 'idb';
import type { DatabaseHandle } from '../db/define-database.js';
import { rawTransaction } from '../idb/promised.js';
import { countMatches } from './count-lookup.js';
import { foldTerms } from './fold-text.js';
import { decodeCursor, encodeCursor } from './lookup-cursor.js';
import type { CountedLookupPage, LookupPage, LookupQuery } from './lookup-query.js';
import { type FilterSpec, planLookup, type SearchSpec } from './plan-lookup.js';
import { type Hit, readPage, type Walk } from './read-lookup.js';

/**
 * Searches a lookup store for a reference picker, in one readonly transaction per page: keyword
 * search over a multiEntry token index (made by {@link lookupTokens}), conditions on other indexes
 * (equality and ranges), ranking, an order, paging with a stable cursor and an exact count.
 *
 * - **Ranking**: records that hold every search word as a whole word come first, then the records
 *   where some word only starts a word; within each rank, the `orderBy` index's order (else the
 *   primary key's).
 * - **Reading**: each rank is read from its narrowest condition (a search word's index key, a
 *   filter's key or range), found by counting each: a narrow one (at most 1,000 records) is read and
 *   sorted in memory, or walked in primary-key order; when every condition is broad, the page walks
 *   the order checking in memory for at most 1,000 records, then intersects the conditions' primary
 *   keys. A search word longer than `maxPrefixLength` is looked up by its stored prefix and checked
 *   whole. See `docs/lookup-search.md`.
 * - **Paging**: `nextCursor` holds the last record's rank, order key and primary key, so a page
 *   resumes strictly after it even when records were inserted or deleted between pages.
 *
 * @example
 * const { items, nextCursor, total } = await searchLookup(appDb, 'service_types', {
 *   index: 'byToken',
 *   text: 'pump rep',
 *   filter: [{ index: 'byCategory', equals: 'hvac' }, { index: 'byPrice', between: [50, 200] }],
 *   orderBy: { index: 'byPrice', direction: 'desc' },
 *   count: true,
 *   pageSize: 50,
 * });
 */
export function searchLookup<S, N extends StoreNames<S>>(
  db: DatabaseHandle<S>,
  store: N,
  query: LookupQuery<S, N> & { readonly count: true },
): Promise<CountedLookupPage<StoreValue<S, N>, StoreKey<S, N>>>;
export function searchLookup<S, N extends StoreNames<S>>(
  db: DatabaseHandle<S>,
  store: N,
  query: LookupQuery<S, N>,
): Promise<LookupPage<StoreValue<S, N>, StoreKey<S, N>>>;
export async function searchLookup<S, N extends StoreNames<S>>(
  db: DatabaseHandle<S>,
  store: N,
  query: LookupQuery<S, N>,
): Promise<LookupPage<StoreValue<S, N>, StoreKey<S, N>>> {
  const pageSize = query.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer (got ${pageSize})`);
  }
  const terms = uniqueTerms(query.text ?? '');
  if (terms.length > 0 && query.index === undefined) {
    throw new TypeError('searchLookup needs the token index (`index`) to search text');
  }
  const filters = (
    query.filter === undefined ? [] : Array.isArray(query.filter) ? query.filter : [query.filter]
  ) as readonly FilterSpec[];
  const spec: SearchSpec = {
    store: store as string,
    tokenIndex: query.index as string | undefined,
    terms,
    filters,
    where: query.where as ((value: unknown) => boolean) | undefined,
    orderBy:
      query.orderBy === undefined
        ? undefined
        : { index: query.orderBy.index as string, descending: query.orderBy.direction === 'desc' },
    tokens: query.tokens ?? {},
  };
  const fingerprint = queryFingerprint(spec);
  const context = { database: db.name, stores: [store as string], operation: 'searchLookup' };
  const after = query.after === undefined ? undefined : decodeCursor(query.after, fingerprint, context);
  const result = await db.read([store as never], (tx) => {
    const idbTx = rawTransaction(tx);
    return new Promise<{ page: { hits: Hit[]; more: boolean }; total: number | undefined }>(
      (resolve, reject) => {
        const walk: Walk = {
          plan: planLookup(idbTx, spec),
          keyListsOnly: isIndexedDbShim(idbTx),
          fail: reject,
        };
        let page: { hits: Hit[]; more: boolean } | undefined;
        let total: number | undefined;
        const counting = query.count === true;
        const finish = () => {
          if (page !== undefined && (!counting || total !== undefined)) resolve({ page, total });
        };
        // The page and the count read side by side in the same transaction.
        readPage(walk, after, pageSize, (p) => {
          page = p;
          finish();
        });
        if (counting) {
          countMatches(walk, (n) => {
            total = n;
            finish();
          });
        }
      },
    );
  });
  const { hits, more } = result.page;
  const last = hits.at(-1);
  return {
    items: hits.map((h) => h.value) as StoreValue<S, N>[],
    keys: hits.map((h) => h.primaryKey) as StoreKey<S, N>[],
    nextCursor:
      more && last !== undefined
        ? encodeCursor(
            last.order === undefined
              ? { tier: last.tier, primaryKey: last.primaryKey }
              : { tier: last.tier, order: last.order, primaryKey: last.primaryKey },
            fingerprint,
          )
        : undefined,
    ...(result.total === undefined ? {} : { total: result.total }),
  };
}

/** The search terms of `text`, each once (a query's "l'aquila" is one word: "laquila"). */
function uniqueTerms(text: string) {
  const seen = new Set<string>();
  return foldTerms(text, true).filter((t) => {
    const id = `${t.cjk ? 'c' : 'w'}${t.text}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Names a query in its cursors: a cursor is a position in one query's order, and is refused by a
 * query that sorts or selects differently. (`where` cannot be compared: keep it the same.)
 */
function queryFingerprint(spec: SearchSpec): string {
  const text = JSON.stringify(
    [spec.store, spec.tokenIndex ?? null, spec.terms, spec.filters, spec.orderBy ?? null, spec.tokens],
    (_, v: unknown) => (v instanceof Date ? { d: v.getTime() } : v),
  );
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * Whether `tx` belongs to indexeddbshim, the SQLite polyfill (used by the tests on Node and by old
 * WebViews), whose cursors over a multiEntry index do not follow primary-key order. Its transactions
 * have `__storeHandles`.
 */
function isIndexedDbShim(tx: IDBTransaction): boolean {
  return Object.hasOwn(tx, '__storeHandles');
}
