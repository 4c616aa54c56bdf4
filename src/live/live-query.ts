import type { StoreChange } from '../db/database-changes.js';
import { type Clock, timers } from '../rx/clock.js';
import { Observable, type Subscribable } from '../rx/observable.js';

/** What a live query follows: a stream of committed changes (a database handle). */
export interface ChangeSource<C extends StoreChange = StoreChange> {
  readonly changes$: Subscribable<C>;
}

/** Options of a live query (`appDb.live(stores, fn, options)`). */
export interface LiveQueryOptions<C extends StoreChange = StoreChange> {
  /**
   * Which changes re-run the query. Default: every change of the query's stores. Use it to skip
   * changes that cannot matter (`(c) => c.key === selectedId`).
   */
  readonly relevant?: (change: C) => boolean;
  /**
   * Drives the wait that gathers a burst of changes into one re-run (an rxjs scheduler, e.g.
   * `TestScheduler` in tests). Default: `setTimeout` (rxjs's schedulers stay out of the bundle).
   */
  readonly scheduler?: Clock;
  /**
   * How long after the first change of a burst the query re-runs, in milliseconds: changes within
   * it (a pulled page of 5,000 records, a batch write) cause one re-run. Default `0` (the next task).
   */
  readonly coalesceMs?: number;
}

/**
 * An observable of `query`'s result that stays current: it runs `query` on subscribe and again
 * after the stores it reads change (as `source.changes$` reports them), emitting each result. The
 * engine of `appDb.live(stores, fn)`.
 *
 * - **Coalesced**: changes arriving within `coalesceMs` (default: the same task) and while a run is
 *   under way cause one re-run, however many records changed.
 * - **In order**: runs never overlap, so a result is never emitted after a newer one; a change that
 *   arrives during a run is followed by one more run.
 * - **Cold**: nothing is read or followed until subscribed; unsubscribing stops following changes,
 *   cancels a pending re-run and drops the result of a run under way.
 * - A failing `query` errors the observable.
 */
export function liveQuery<R, C extends StoreChange = StoreChange>(
  source: ChangeSource<C>,
  stores: readonly string[],
  query: () => R | PromiseLike<R>,
  options: LiveQueryOptions<C> = {},
): Observable<R> {
  const names = new Set(stores);
  const relevant = options.relevant ?? (() => true);
  const coalesceMs = options.coalesceMs ?? 0;
  const clock = options.scheduler ?? timers;
  const later = (work: () => void): (() => void) => {
    const action = clock.schedule(work, coalesceMs);
    return () => action.unsubscribe();
  };
  return new Observable<R>((subscriber) => {
    let running = false;
    let dirty = false;
    let pending: (() => void) | undefined;

    const run = () => {
      pending?.();
      pending = undefined;
      running = true;
      dirty = false;
      let result: PromiseLike<R> | R;
      try {
        result = query();
      } catch (error) {
        subscriber.error(error);
        return;
      }
      Promise.resolve(result).then(
        (value) => {
          running = false;
          if (subscriber.closed) return;
          subscriber.next(value);
          if (dirty) schedule();
        },
        (error: unknown) => {
          running = false;
          subscriber.error(error);
        },
      );
    };
    const schedule = () => {
      if (pending !== undefined || subscriber.closed) return;
      pending = later(() => {
        pending = undefined;
        if (running) dirty = true;
        else run();
      });
    };

    // Follow changes before the first read, so that none committed during it is missed.
    const changes = source.changes$.subscribe({
      next: (change) => {
        if (!names.has(change.store) || !relevant(change)) return;
        dirty = true;
        if (!running) schedule();
      },
      error: (error: unknown) => subscriber.error(error),
    });
    run();
    return () => {
      changes.unsubscribe();
      pending?.();
    };
  });
}
