import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';

/** A committed change of one record, as a database handle's `changes$` reports it. */
export interface StoreChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  readonly key: IDBValidKey;
  /** Where the change came from (this tab, another tab, the server). */
  readonly origin: string;
}

/** What a live query follows: a stream of committed changes (a database handle). */
export interface ChangeSource {
  readonly changes$: Observable<StoreChange>;
}

/** Options of {@link liveQuery}. */
export interface LiveQueryOptions {
  /**
   * Which changes re-run the query. Default: every change of the query's stores. Use it to skip
   * changes that cannot matter (`(c) => c.key === selectedId`).
   */
  readonly relevant?: (change: StoreChange) => boolean;
  /**
   * Drives the wait that gathers a burst of changes into one re-run (rxjs `TestScheduler` in tests).
   * Default `asyncScheduler`.
   */
  readonly scheduler?: SchedulerLike;
  /**
   * How long after the first change of a burst the query re-runs, in milliseconds: changes within
   * it (a pulled page of 5,000 records, a batch write) cause one re-run. Default `0` (the next task).
   */
  readonly coalesceMs?: number;
}

/**
 * An observable of `query`'s result that stays current: it runs `query` on subscribe and again
 * after the stores it reads change, emitting each result.
 *
 * - **Coalesced**: changes arriving within `coalesceMs` (default: the same task) and while a run is
 *   under way cause one re-run, however many records changed.
 * - **In order**: runs never overlap, so a result is never emitted after a newer one; a change that
 *   arrives during a run is followed by one more run.
 * - **Cold**: nothing is read or followed until subscribed; unsubscribing stops following changes,
 *   cancels a pending re-run and drops the result of a run under way.
 * - A failing `query` errors the observable.
 *
 * @example
 * const openOrders$ = liveQuery(appDb, ['work_orders'], async () =>
 *   (await appDb.getAll('work_orders')).filter((order) => order.status === 'open'),
 * );
 * const subscription = openOrders$.subscribe((orders) => console.log(orders.length, 'open'));
 * subscription.unsubscribe();
 */
export function liveQuery<R>(
  source: ChangeSource,
  stores: readonly string[],
  query: () => R | PromiseLike<R>,
  options: LiveQueryOptions = {},
): Observable<R> {
  const names = new Set(stores);
  const relevant = options.relevant ?? (() => true);
  const scheduler = options.scheduler ?? asyncScheduler;
  const coalesceMs = options.coalesceMs ?? 0;
  return new Observable<R>((subscriber) => {
    let running = false;
    let dirty = false;
    let pending: Subscription | undefined;

    const run = () => {
      pending?.unsubscribe();
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
      pending = scheduler.schedule(() => {
        pending = undefined;
        if (running) dirty = true;
        else run();
      }, coalesceMs);
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
      pending?.unsubscribe();
    };
  });
}
