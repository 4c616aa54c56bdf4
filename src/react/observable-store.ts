import type { Notice } from '../bindings/live-result.js';
import type { Observable, Subscription } from '../rx/observable.js';

/**
 * An external store for `useSyncExternalStore` over a cold observable: the first listener
 * subscribes to it, the last one to leave unsubscribes (StrictMode's subscribe, unsubscribe,
 * subscribe leaves exactly one subscription). Creating the store subscribes to nothing, so a store
 * made by a render React throws away (concurrent rendering, StrictMode) costs nothing, and
 * server rendering (which never subscribes) touches no IndexedDB.
 */
export class ObservableStore<T, V> {
  readonly #source: () => Observable<V>;
  readonly #reduce: (state: T, notice: Notice<V>) => T;
  readonly #server: T;
  readonly #listeners = new Set<() => void>();
  #snapshot: T;
  #subscription: Subscription | undefined;

  constructor(
    /** Makes the observable to follow (called on each first subscription). */
    source: () => Observable<V>,
    /** The snapshot before the observable said anything. */
    initial: T,
    /** The next snapshot after a value or an error. */
    reduce: (state: T, notice: Notice<V>) => T,
    /** The snapshot of server rendering and hydration (default `initial`). */
    server: T = initial,
  ) {
    this.#source = source;
    this.#snapshot = initial;
    this.#reduce = reduce;
    this.#server = server;
  }

  readonly getSnapshot = (): T => this.#snapshot;

  readonly getServerSnapshot = (): T => this.#server;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#follow();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        const subscription = this.#subscription;
        this.#subscription = undefined;
        subscription?.unsubscribe();
      }
    };
  };

  /** True while the store follows its observable (for tests). */
  get following(): boolean {
    return this.#subscription !== undefined;
  }

  #follow(): void {
    const update = (notice: Notice<V>) => {
      const next = this.#reduce(this.#snapshot, notice);
      if (Object.is(next, this.#snapshot)) return;
      this.#snapshot = next;
      for (const listener of [...this.#listeners]) listener();
    };
    let source: Observable<V>;
    try {
      source = this.#source();
    } catch (error) {
      update({ error });
      return;
    }
    const subscription = source.subscribe({
      next: (value) => update({ value }),
      error: (error: unknown) => update({ error }),
    });
    // A source that completed or failed while subscribing holds nothing to release.
    if (!subscription.closed) this.#subscription = subscription;
  }
}
