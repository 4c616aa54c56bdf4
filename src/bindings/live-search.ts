import type { StoreKey, StoreNames, StoreValue } from 'idb';
import type { DatabaseHandle } from '../db/define-database.js';
import { liveQuery } from '../live/live-query.js';
import type { LookupPage, LookupQuery } from '../query/lookup-query.js';
import { searchLookup } from '../query/search-lookup.js';
import type { Observable } from '../rx/observable.js';

/**
 * `searchLookup(database, store, query())` as an observable that stays current: it searches on
 * subscribe and again after `store` changes (a pull, another tab, a local write), with the live
 * query's guarantees (bursts coalesced, results in order, cold).
 */
export function liveSearch<S, N extends StoreNames<S>>(
  database: DatabaseHandle<S>,
  store: N,
  query: () => LookupQuery<S, N>,
): Observable<LookupPage<StoreValue<S, N>, StoreKey<S, N>>> {
  return liveQuery(database, [store as string], () => searchLookup(database, store, query()));
}
