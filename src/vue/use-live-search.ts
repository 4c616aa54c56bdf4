import type { StoreKey, StoreNames, StoreValue } from 'idb';
import { type MaybeRefOrGetter, toValue, type WatchSource } from 'vue';
import { loading, settle } from '../bindings/live-result.js';
import { liveSearch } from '../bindings/live-search.js';
import type { DatabaseHandle } from '../db/define-database.js';
import type { LookupPage, LookupQuery } from '../query/lookup-query.js';
import { followObservable } from './follow-observable.js';
import { type LiveRefs, liveRefs } from './live-refs.js';
import type { UseLiveOptions } from './use-live-query.js';

/**
 * `searchLookup(database, store, query)` in a component, kept current: it searches once the
 * component is mounted, again when the query changes (a ref or getter, compared as JSON: text,
 * filters, order, `after`, `count`…, plus `deps` for what JSON does not show, such as a `where`
 * function's inputs), and again after `store` changes (a sync, another tab). Page with the
 * result's `nextCursor` as the next query's `after`.
 *
 * @example
 * import { ref, watchEffect } from 'vue';
 *
 * const text = ref('pump');
 * const { data: page } = useLiveSearch(
 *   appDb,
 *   'service_types',
 *   () => ({ index: 'byToken', text: text.value, pageSize: 20, count: true }),
 *   [],
 *   { keepPreviousData: true },
 * );
 * watchEffect(() => render(page.value?.items.map((st) => st.name)));
 */
export function useLiveSearch<S, N extends StoreNames<S>>(
  database: DatabaseHandle<S>,
  store: N,
  query: MaybeRefOrGetter<LookupQuery<S, N>>,
  deps: WatchSource<unknown>[] = [],
  options: UseLiveOptions = {},
): LiveRefs<LookupPage<StoreValue<S, N>, StoreKey<S, N>>> {
  type Page = LookupPage<StoreValue<S, N>, StoreKey<S, N>>;
  const keep = options.keepPreviousData === true;
  const state = followObservable({
    source: () => liveSearch(database, store, () => toValue(query)),
    initial: (previous) => loading<Page>(keep ? previous?.data : undefined),
    reduce: settle<Page>,
    server: loading<Page>(),
    deps: [() => JSON.stringify(toValue(query)), ...deps],
  });
  return liveRefs(state);
}
