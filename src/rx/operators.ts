import { Observable, type Subscribable, type Subscriber, type Unsubscribable } from './observable.js';

// The few operators the SDK needs, each a few lines on rxjs's `Observable`: rxjs's own operators
// (and the `Subject` and schedulers they pull in) would cost every app several KB.

/**
 * `source` with each value handed to `onValue`, made for every subscriber (so it may keep state
 * per subscription); errors and completion pass through.
 */
export function operate<T, R>(
  source: Subscribable<T>,
  onValue: (subscriber: Subscriber<R>) => (value: T) => void,
): Observable<R> {
  return new Observable<R>((subscriber) =>
    source.subscribe({
      next: onValue(subscriber),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}

/**
 * rxjs's `distinctUntilChanged()`: drops a value equal to the one before it (`===`, or `equal`).
 */
export function distinct<T>(
  source: Subscribable<T>,
  equal: (previous: T, value: T) => boolean = (a, b) => a === b,
): Observable<T> {
  return operate(source, (subscriber) => {
    let seen = false;
    let last: T;
    return (value) => {
      if (seen && equal(last, value)) return;
      seen = true;
      last = value;
      subscriber.next(value);
    };
  });
}

/**
 * rxjs's `share()`: one subscription to `source` for all subscribers, made by the first and ended
 * by the last (or when `source` ends); a later subscriber starts it again.
 */
export function share<T>(source: Subscribable<T>): Observable<T> {
  const subscribers = new Set<Subscriber<T>>();
  let connection: Unsubscribable | undefined;
  const each = (fn: (subscriber: Subscriber<T>) => void) => {
    for (const subscriber of [...subscribers]) fn(subscriber);
  };
  const end = (fn: (subscriber: Subscriber<T>) => void) => {
    const ending = [...subscribers];
    subscribers.clear();
    connection = undefined;
    for (const subscriber of ending) fn(subscriber);
  };
  return new Observable<T>((subscriber) => {
    subscribers.add(subscriber);
    if (connection === undefined) {
      connection = source.subscribe({
        next: (value) => each((s) => s.next(value)),
        error: (error: unknown) => end((s) => s.error(error)),
        complete: () => end((s) => s.complete()),
      });
      // A source that ended while subscribing left nobody to share with.
      if (subscribers.size === 0) connection = undefined;
    }
    return () => {
      subscribers.delete(subscriber);
      if (subscribers.size > 0 || connection === undefined) return;
      const ending = connection;
      connection = undefined;
      ending.unsubscribe();
    };
  });
}

/** rxjs's `map()`. */
export function mapValues<T, R>(source: Subscribable<T>, project: (value: T) => R): Observable<R> {
  return operate(source, (subscriber) => (value) => subscriber.next(project(value)));
}

/** rxjs's `filter()`. */
export function filterValues<T>(source: Subscribable<T>, keep: (value: T) => boolean): Observable<T> {
  return operate(source, (subscriber) => (value) => {
    if (keep(value)) subscriber.next(value);
  });
}

/** rxjs's `merge()`: every value of every source; completes when all have completed. */
export function mergeAll<T>(...sources: Subscribable<T>[]): Observable<T> {
  return new Observable<T>((subscriber) => {
    let open = sources.length;
    const subscriptions = sources.map((source) =>
      source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (--open === 0) subscriber.complete();
        },
      }),
    );
    if (open === 0) subscriber.complete();
    return () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    };
  });
}
