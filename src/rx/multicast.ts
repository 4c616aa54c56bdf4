import { Observable, type Subscriber } from './observable.js';

/**
 * What rxjs's `Subject` (and, given an initial value, `BehaviorSubject`) do for the SDK's own
 * streams, built on rxjs's `Observable` alone: the observables handed out are rxjs observables,
 * while `Subject` and its subscription bookkeeping stay out of every app's bundle (about 1 KB).
 *
 * Each value goes to the subscribers there were when it was sent; a subscriber that unsubscribes
 * meanwhile gets nothing more. With an initial value, a new subscriber first gets the latest value.
 * After `complete()`, new subscribers complete at once and `next()` does nothing.
 */
export class Multicast<T> {
  readonly #subscribers = new Set<Subscriber<T>>();
  readonly #observable: Observable<T>;
  #value: T;
  #stopped = false;

  constructor(...initial: [] | [T]) {
    const replay = initial.length > 0;
    this.#value = initial[0] as T;
    this.#observable = new Observable<T>((subscriber) => {
      if (this.#stopped) return subscriber.complete();
      this.#subscribers.add(subscriber);
      if (replay) subscriber.next(this.#value);
      return () => this.#subscribers.delete(subscriber);
    });
  }

  /** The latest value sent (or the initial one). */
  get value(): T {
    return this.#value;
  }

  asObservable(): Observable<T> {
    return this.#observable;
  }

  next(value: T): void {
    if (this.#stopped) return;
    this.#value = value;
    for (const subscriber of [...this.#subscribers]) subscriber.next(value);
  }

  complete(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const subscriber of [...this.#subscribers]) subscriber.complete();
    this.#subscribers.clear();
  }
}
