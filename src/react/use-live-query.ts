import { type DependencyList, useEffect, useRef } from 'react';
import type { UseLiveOptions, UseLiveQueryOptions } from '../bindings/live-options.js';
import { type LiveResult, loading, settle } from '../bindings/live-result.js';
import type { DatabaseChange } from '../db/database-changes.js';
import type {
  DatabaseHandle,
  DatabaseSchema,
  DatabaseStoreName,
  ReadTransaction,
} from '../db/define-database.js';
import { useLatest, useObservableStore } from './use-observable.js';

/**
 * Reads IndexedDB in a component and re-renders when the records read change: `query` runs in a
 * readonly transaction of `stores` (`appDb.live(stores, query)`) when the component mounts, and
 * again after those stores change — writes in this tab, in other tabs, and changes the sync client
 * pulled from the server. A burst of changes (a pulled page) re-runs it once.
 *
 * List the values `query` uses from the component in `deps` (as with `useEffect`): when they
 * change, the query subscribes again and reads at once. Re-runs after a change always call the
 * latest `query` rendered. Nothing is read on the server (`isLoading` stays true there), and
 * unmounting stops following changes.
 *
 * @example
 * function OpenOrders({ status }: { status: string }) {
 *   const { data: orders, error } = useLiveQuery(
 *     appDb,
 *     ['work_orders'],
 *     async (tx) => (await tx.objectStore('work_orders').getAll()).filter((o) => o.status === status),
 *     [status],
 *   );
 *   if (error !== undefined) return <p>Cannot read the orders</p>;
 *   return <p>{orders === undefined ? 'Loading…' : `${orders.length} ${status}`}</p>;
 * }
 */
export function useLiveQuery<S, const N extends readonly DatabaseStoreName<S>[], R>(
  database: DatabaseHandle<S>,
  stores: N,
  query: (tx: ReadTransaction<DatabaseSchema<S>, N>) => R | PromiseLike<R>,
  deps: DependencyList = [],
  options: UseLiveQueryOptions<DatabaseChange<S>> = {},
): LiveResult<R> {
  const latest = useLatest({ query, relevant: options.relevant });
  const previous = useRef<R>(undefined);
  const keep = options.keepPreviousData === true;
  const result = useObservableStore(
    () =>
      database.live(stores, (tx) => latest.current.query(tx), {
        relevant: (change) => latest.current.relevant?.(change) ?? true,
        ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }),
      }),
    [database, stores.join('\u0000'), options.coalesceMs, keep, ...deps],
    () => loading(keep ? previous.current : undefined),
    settle<R>,
    loading<R>(),
  );
  useEffect(() => {
    if (!result.isLoading) previous.current = result.data;
  });
  return result;
}

export type { UseLiveOptions, UseLiveQueryOptions };
