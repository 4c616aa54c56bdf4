import type { Observable } from '../rx/observable.js';

/**
 * The value a replaying observable (a `BehaviorSubject`'s, such as `status$` or `state$`) gives a
 * new subscriber at once, or `fallback` when it gives none. Subscribes and unsubscribes at once:
 * only for observables whose subscription has no side effect.
 */
export function peek<T>(source$: Observable<T>, fallback: T): T {
  let value = fallback;
  source$
    .subscribe((v) => {
      value = v;
    })
    .unsubscribe();
  return value;
}
