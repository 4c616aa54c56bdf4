import type { StoreKey, StoreNames, StoreValue } from 'idb';
import { type DependencyList, useEffect, useRef } from 'react';
import { type LiveResult, loading, settle } from '../bindings/live-result.js';
import { liveSearch } from '../bindings/live-search.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { LookupPage, LookupQuery } from '../query/lookup-query.js';
import type { UseLiveOptions } from './use-live-query.js';
import { useLatest, useObservableStore } from './use-observable.js';

/**
 * `searchLookup(database, store, query)` in a component, kept current: it searches when the
 * component mounts, again when the query changes (compared as JSON: text, filters, order, `after`,
 * `count`…, plus `deps` for what JSON does not show, such as a `where` function's inputs), and
 * again after `store` changes (a sync, another tab). Page with the result's `nextCursor` as the
 * next query's `after`.
 *
 * @example
 * function ServiceTypePicker({ text }: { text: string }) {
 *   const { data: page } = useLiveSearch(
 *     appDb,
 *     'service_types',
 *     { index: 'byToken', text, pageSize: 20, count: true },
 *     [],
 *     { keepPreviousData: true },
 *   );
 *   return (
 *     <ul>
 *       {page?.items.map((st) => <li key={st.id}>{st.name}</li>)}
 *     </ul>
 *   );
 * }
 */
export function useLiveSearch<S, N extends StoreNames<S>>(
  database: DatabaseHandle<S>,
  store: N,
  query: LookupQuery<S, N>,
  deps: DependencyList = [],
  options: UseLiveOptions = {},
): LiveResult<LookupPage<StoreValue<S, N>, StoreKey<S, N>>> {
  type Page = LookupPage<StoreValue<S, N>, StoreKey<S, N>>;
  const latest = useLatest(query);
  const previous = useRef<Page>(undefined);
  const keep = options.keepPreviousData === true;
  const result = useObservableStore(
    () => liveSearch(database, store, () => latest.current),
    [database, store, JSON.stringify(query), keep, ...deps],
    () => loading(keep ? previous.current : undefined),
    settle<Page>,
    loading<Page>(),
  );
  useEffect(() => {
    if (!result.isLoading) previous.current = result.data;
  });
  return result;
}
