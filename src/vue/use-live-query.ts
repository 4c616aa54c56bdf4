import type { WatchSource } from 'vue';
import type { UseLiveOptions, UseLiveQueryOptions } from '../bindings/live-options.js';
import { loading, settle } from '../bindings/live-result.js';
import type { DatabaseChange } from '../db/database-changes.js';
import type {
  DatabaseHandle,
  DatabaseSchema,
  DatabaseStoreName,
  ReadTransaction,
} from '../db/define-database.js';
import { followObservable } from './follow-observable.js';
import { type LiveRefs, liveRefs } from './live-refs.js';

/**
 * Reads IndexedDB in a component and updates the refs when the records read change: `query` runs
 * in a readonly transaction of `stores` (`appDb.live(stores, query)`) once the component is
 * mounted, and again after those stores change — writes in this tab, in other tabs, and changes
 * the sync client pulled from the server. A burst of changes (a pulled page) re-runs it once.
 *
 * List the reactive inputs `query` reads (refs, getters such as `() => props.status`) in `deps`:
 * when one changes, the query reads again at once. Re-runs after a change read the refs as they
 * are then. Nothing is read on the server, and the component's unmount (its scope) stops it.
 *
 * @example
 * import { ref, watchEffect } from 'vue';
 *
 * const status = ref('open');
 * const { data: orders, isLoading } = useLiveQuery(
 *   appDb,
 *   ['work_orders'],
 *   async (tx) => (await tx.objectStore('work_orders').getAll()).filter((o) => o.status === status.value),
 *   [status],
 * );
 * watchEffect(() => render(isLoading.value ? 'Loading…' : `${orders.value?.length} ${status.value}`));
 */
export function useLiveQuery<S, const N extends readonly DatabaseStoreName<S>[], R>(
  database: DatabaseHandle<S>,
  stores: N,
  query: (tx: ReadTransaction<DatabaseSchema<S>, N>) => R | PromiseLike<R>,
  deps: WatchSource<unknown>[] = [],
  options: UseLiveQueryOptions<DatabaseChange<S>> = {},
): LiveRefs<R> {
  const keep = options.keepPreviousData === true;
  const state = followObservable({
    source: () =>
      database.live(stores, query, {
        ...(options.relevant === undefined ? {} : { relevant: options.relevant }),
        ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }),
      }),
    initial: (previous) => loading<R>(keep ? previous?.data : undefined),
    reduce: settle<R>,
    server: loading<R>(),
    deps,
  });
  return liveRefs(state);
}

export type { UseLiveOptions, UseLiveQueryOptions };
