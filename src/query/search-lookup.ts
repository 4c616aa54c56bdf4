import type { IndexKey, IndexNames, StoreKey, StoreNames, StoreValue } from 'idb';
import { unwrap } from 'idb';
import type { DatabaseHandle } from '../db/define-database.js';
import { decodeCursor, encodeCursor } from './lookup-cursor.js';
import { isIndexedWord, type LookupTokenOptions, lookupWords } from './lookup-tokens.js';
import { scanPage } from './scan-page.js';

/** Indexes of store `N` whose keys are strings: candidates for the token index. */
export type TokenIndexName<S, N extends StoreNames<S>> = {
  [I in IndexNames<S, N>]: IndexKey<S, N, I> extends string ? I : never;
}[IndexNames<S, N>];

/** A filter on an indexed field: records whose field equals `equals` (contains it, for a multiEntry index). */
export type LookupFilter<S, N extends StoreNames<S>> = {
  [I in IndexNames<S, N>]: { readonly index: I; readonly equals: IndexKey<S, N, I> };
}[IndexNames<S, N>];

/** A query of {@link searchLookup}. */
export interface LookupQuery<S, N extends StoreNames<S>> {
  /** The multiEntry index over the records' tokens (see {@link lookupTokens}). Required when `text` has words. */
  readonly index?: TokenIndexName<S, N>;
  /**
   * What the user typed. Every word must match the start of a word of the record (case and accents
   * ignored). Default `''`: no text condition.
   */
  readonly text?: string;
  /** Only records whose indexed field equals a value. Default: none. */
  readonly filter?: LookupFilter<S, N>;
  /**
   * Only records for which this returns true: a condition no index answers (a boolean field, a
   * second filter), checked in memory on each candidate record after the text and `filter`. Runs
   * inside the read transaction, so it must be synchronous; what it throws rejects the search (as a
   * `TransactionCallbackError` with it as `cause`).
   * Default: none.
   */
  readonly where?: (record: StoreValue<S, N>) => boolean;
  /** Records per page. Default `50`. */
  readonly pageSize?: number;
  /** The `nextCursor` of the previous page. Default: the first page. */
  readonly after?: string;
  /** How the records' tokens were made: must be the options given to {@link lookupTokens}. Default its defaults. */
  readonly tokens?: LookupTokenOptions;
}

/** One page of results of {@link searchLookup}. */
export interface LookupPage<V, K> {
  /** Matching records in primary-key order. */
  readonly items: V[];
  /** The primary key of each item, in the same order. */
  readonly keys: K[];
  /** Pass as `after` for the next page; `undefined` when there is none. */
  readonly nextCursor: string | undefined;
}

/**
 * Searches a lookup store for a reference picker: keyword search over a multiEntry token index,
 * an optional filter on another index, and paging with a stable cursor, in one readonly transaction
 * per page.
 *
 * Multi-word text intersects the words: the page is read from the index range of the rarest word
 * (or of the filter, when rarer; counts come from the index), and the other words and the filter
 * are checked in memory. Results come in primary-key order, so the cursor (the last primary key and
 * the index key it was read under) stays valid when records are inserted or deleted between pages:
 * no record is skipped or repeated that was there during both pages. Words shorter than the
 * tokenizer's `minPrefixLength` are only checked in memory; a text with no indexable word (and no
 * filter) walks the whole store. `where` narrows the candidates in memory: a page with a selective
 * `where` reads more records than it returns.
 *
 * @example
 * const { items, nextCursor } = await searchLookup(appDb, 'service_types', {
 *   index: 'byToken',
 *   text: 'pump rep',
 *   filter: { index: 'byCategory', equals: 'hvac' },
 *   pageSize: 50,
 * });
 */
export async function searchLookup<S, N extends StoreNames<S>>(
  db: DatabaseHandle<S>,
  store: N,
  query: LookupQuery<S, N>,
): Promise<LookupPage<StoreValue<S, N>, StoreKey<S, N>>> {
  const tokenOptions = query.tokens ?? {};
  const words = [...new Set(lookupWords(query.text ?? ''))];
  const pageSize = query.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer (got ${pageSize})`);
  }
  if (words.length > 0 && query.index === undefined) {
    throw new TypeError('searchLookup needs the token index (`index`) to search text');
  }
  const context = { database: db.name, stores: [store as string], operation: 'searchLookup' };
  const after = query.after === undefined ? undefined : decodeCursor(query.after, context);
  const filter = query.filter as { index: string; equals: IDBValidKey } | undefined;
  const page = await db.read([store as never], (tx) =>
    scanPage((unwrap as (value: object) => unknown)(tx) as IDBTransaction, {
      store: store as string,
      tokenIndex: words.length > 0 ? (query.index as string) : undefined,
      words,
      indexedWords: words.filter((w) => isIndexedWord(w, tokenOptions)),
      filter,
      after,
      pageSize,
      ...(query.where === undefined ? {} : { where: query.where as (value: unknown) => boolean }),
    }),
  );
  const items = page.items as StoreValue<S, N>[];
  return {
    items,
    keys: page.keys as StoreKey<S, N>[],
    nextCursor: page.more && page.last !== undefined ? encodeCursor(page.last) : undefined,
  };
}
