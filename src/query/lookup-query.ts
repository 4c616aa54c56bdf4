import type { IndexKey, IndexNames, StoreNames, StoreValue } from 'idb';
import type { LookupTokenOptions } from './lookup-tokens.js';

/** Indexes of store `N` whose keys are strings: candidates for the token index. */
export type TokenIndexName<S, N extends StoreNames<S>> = {
  [I in IndexNames<S, N>]: IndexKey<S, N, I> extends string ? I : never;
}[IndexNames<S, N>];

/** Records whose indexed field equals `equals` (contains it, for a multiEntry index). */
export interface LookupEqualsFilter<I, K> {
  /** The index whose keys are compared. */
  readonly index: I;
  /** The key to match. */
  readonly equals: K;
}

/**
 * Records whose indexed field lies in a range: `above` / `below` exclude their bound, `atLeast` /
 * `atMost` include it; give one or two (a lower and an upper bound).
 */
export interface LookupRangeFilter<I, K> {
  /** The index whose keys are compared. */
  readonly index: I;
  /** Keys greater than this. */
  readonly above?: K;
  /** Keys greater than or equal to this. */
  readonly atLeast?: K;
  /** Keys less than this. */
  readonly below?: K;
  /** Keys less than or equal to this. */
  readonly atMost?: K;
}

/** Records whose indexed field lies between two values, both included. */
export interface LookupBetweenFilter<I, K> {
  /** The index whose keys are compared. */
  readonly index: I;
  /** The lower and the upper bound, both included. */
  readonly between: readonly [K, K];
}

/** A condition on an indexed field: equality, a range, or between two values. */
export type LookupFilter<S, N extends StoreNames<S>> = {
  [I in IndexNames<S, N>]:
    | LookupEqualsFilter<I, IndexKey<S, N, I>>
    | LookupRangeFilter<I, IndexKey<S, N, I>>
    | LookupBetweenFilter<I, IndexKey<S, N, I>>;
}[IndexNames<S, N>];

/** The order of results within a rank: an index (not multiEntry) ascending or descending. */
export type LookupOrder<S, N extends StoreNames<S>> = {
  [I in IndexNames<S, N>]: {
    readonly index: I;
    /** Default `'asc'`. Records with equal keys come in primary-key order (reversed for `'desc'`). */
    readonly direction?: 'asc' | 'desc';
  };
}[IndexNames<S, N>];

/** A query of {@link searchLookup}. */
export interface LookupQuery<S, N extends StoreNames<S>> {
  /** The multiEntry index over the records' tokens (see {@link lookupTokens}). Required when `text` has words. */
  readonly index?: TokenIndexName<S, N>;
  /**
   * What the user typed. Every word must start a word of the record, every CJK run must lie inside
   * one of its runs (case, accents and the folding table ignored). Records holding every word whole
   * come first. Default `''`: no text condition.
   */
  readonly text?: string;
  /**
   * Conditions on indexed fields (equality or ranges), all of which must hold. Default: none.
   * Each one is answered by its index when it is the narrowest condition, and checked in memory
   * otherwise.
   */
  readonly filter?: LookupFilter<S, N> | readonly LookupFilter<S, N>[];
  /**
   * Only records for which this returns true: a condition no index answers (a boolean field), checked
   * in memory on each candidate record after the text and `filter`. Runs inside the read transaction,
   * so it must be synchronous; what it throws rejects the search (as a `TransactionCallbackError` with
   * it as `cause`). A selective `where` makes a page read more records than it returns, and a count
   * read every candidate. Default: none.
   */
  readonly where?: (record: StoreValue<S, N>) => boolean;
  /**
   * The order within each rank: an index (not multiEntry), ascending or descending. Records without
   * a valid key in that index are left out, as IndexedDB leaves them out of the index. Default: the
   * primary key, ascending.
   */
  readonly orderBy?: LookupOrder<S, N>;
  /** Records per page. Default `50`. */
  readonly pageSize?: number;
  /** The `nextCursor` of the previous page of the same query. Default: the first page. */
  readonly after?: string;
  /**
   * Also count every match (`total`). Exact; costs reading the primary keys of the narrowest
   * conditions, and the candidate records when `where`, a word longer than `maxPrefixLength` or a
   * CJK run of three or more characters needs a check in memory. Default `false`.
   */
  readonly count?: boolean;
  /** How the records' tokens were made: must be the options given to {@link lookupTokens}. Default its defaults. */
  readonly tokens?: LookupTokenOptions;
}

/** One page of results of {@link searchLookup}. */
export interface LookupPage<V, K> {
  /** Matching records: exact matches first, then prefix matches; each rank in the query's order. */
  readonly items: V[];
  /** The primary key of each item, in the same order. */
  readonly keys: K[];
  /** Pass as `after` for the next page; `undefined` when there is none. */
  readonly nextCursor: string | undefined;
  /** Every match, when the query asked for `count`. */
  readonly total?: number;
}

/** A page of a query with `count: true`. */
export interface CountedLookupPage<V, K> extends LookupPage<V, K> {
  readonly total: number;
}
