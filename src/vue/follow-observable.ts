import {
  getCurrentInstance,
  onMounted,
  onScopeDispose,
  type ShallowRef,
  shallowRef,
  type WatchSource,
  watch,
} from 'vue';
import type { Notice } from '../bindings/live-result.js';
import type { Observable, Subscription } from '../rx/observable.js';

/** How {@link followObservable} starts, restarts and shows what the observable said. */
export interface FollowOptions<T, V> {
  /** Makes the observable to follow (called at each start and restart). */
  readonly source: () => Observable<V>;
  /** The state before the observable says anything (`previous`: the state before a restart). */
  readonly initial: (previous: T | undefined) => T;
  /** The next state after a value or an error. */
  readonly reduce: (state: T, notice: Notice<V>) => T;
  /** The state of server rendering, and of a component until it is mounted. */
  readonly server: T;
  /** Inputs of `source`: when one changes, the observable is followed again from `initial`. */
  readonly deps?: WatchSource<unknown>[];
}

/**
 * A ref following the observable `source()` makes, for as long as the current effect scope lives.
 * In a component it starts once the component is mounted (so server rendering, which mounts
 * nothing, touches no IndexedDB, and hydration sees `server`) and stops when the component is
 * unmounted; in a bare `effectScope` (a store) it starts at once and stops when the scope is
 * stopped. A change of `deps` unsubscribes and follows a new observable.
 */
export function followObservable<T, V>(options: FollowOptions<T, V>): Readonly<ShallowRef<T>> {
  const { source, initial, reduce, server, deps } = options;
  const inComponent = getCurrentInstance() !== null;
  const state = shallowRef<T>(inComponent ? server : initial(undefined));
  let subscription: Subscription | undefined;
  let started = false;

  const stop = () => {
    const current = subscription;
    subscription = undefined;
    current?.unsubscribe();
  };
  const follow = () => {
    let observable: Observable<V>;
    try {
      observable = source();
    } catch (error) {
      state.value = reduce(state.value, { error });
      return;
    }
    const next = observable.subscribe({
      next: (value) => {
        state.value = reduce(state.value, { value });
      },
      error: (error: unknown) => {
        state.value = reduce(state.value, { error });
      },
    });
    if (!next.closed) subscription = next;
  };
  const start = () => {
    started = true;
    if (inComponent) state.value = initial(undefined);
    follow();
  };

  if (deps !== undefined && deps.length > 0) {
    watch(deps, () => {
      if (!started) return;
      stop();
      state.value = initial(state.value);
      follow();
    });
  }
  if (inComponent) onMounted(start);
  else start();
  onScopeDispose(() => {
    started = false;
    stop();
  });
  return state;
}

/** The latest value of an observable, or `state` when it failed (for sources that replay or only add). */
export const lastValue = <T>(state: T, notice: Notice<T>): T => ('value' in notice ? notice.value : state);
