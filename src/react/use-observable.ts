import { type DependencyList, useInsertionEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { Notice } from '../bindings/live-result.js';
import type { Observable } from '../rx/observable.js';
import { ObservableStore } from './observable-store.js';

/** The latest value of an observable, or `state` when it failed (for sources that replay or only add). */
export const lastValue = <T>(state: T, notice: Notice<T>): T => ('value' in notice ? notice.value : state);

/**
 * Follows the observable `source()` makes while the component is mounted, through
 * `useSyncExternalStore`, and returns the snapshot `reduce` keeps. A new store (and subscription)
 * is made when `deps` change; `initial` is its snapshot until the observable says something,
 * `server` the snapshot of server rendering and hydration.
 */
export function useObservableStore<T, V>(
  source: () => Observable<V>,
  deps: DependencyList,
  initial: () => T,
  reduce: (state: T, notice: Notice<V>) => T,
  server: T,
): T {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists the source's inputs in `deps`
  const store = useMemo(() => new ObservableStore(source, initial(), reduce, server), deps);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
}

/**
 * A ref holding the latest value of `value` as committed: callbacks that run later (a live query's
 * re-run after a change) read the current render's closure, never a stale one.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
