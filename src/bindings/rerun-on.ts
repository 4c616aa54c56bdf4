import { liveQuery } from '../live/live-query.js';
import type { Observable } from '../rx/observable.js';
import { mapValues } from '../rx/operators.js';

const TICK = { store: '', type: 'put', key: '', origin: 'local' } as const;

/**
 * An observable of `read()` that runs it on subscribe and again after `trigger$` emits, with the
 * live query's guarantees: a burst of triggers re-runs it once, runs never overlap, a result never
 * follows a newer one, and unsubscribing drops a run under way. For reads that are not one
 * transaction of the handle (the outbox count, the conflict log, a lookup search).
 */
export function rerunOn<R>(trigger$: Observable<unknown>, read: () => R | PromiseLike<R>): Observable<R> {
  return liveQuery({ changes$: mapValues(trigger$, () => TICK) }, [''], read);
}
