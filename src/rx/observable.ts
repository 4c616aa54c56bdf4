// The SDK's own minimal Observable: rxjs's `Observable` with its `Subscriber`, `Subscription` and
// tslib helpers cost every app about 2.4 KB min+gzip, for the few things the SDK's streams need.
// It interoperates through `Symbol.observable`: rxjs's `from(stream)` (and other libraries that
// read `Symbol.observable` or `'@@observable'`) accept it, which gives rxjs's operators.

/** Receives a stream's values, then at most one error or completion. */
export interface Observer<T> {
  /** Receives the next value. */
  next(value: T): void;
  /** Receives the error that ended the stream. */
  error(error: unknown): void;
  /** Called when the stream ended without error. */
  complete(): void;
}

/** What ends a subscription (an rxjs `Subscription` is one). */
export interface Unsubscribable {
  /** Ends the subscription (again: nothing happens). */
  unsubscribe(): void;
}

/** A subscription to an {@link Observable}: `unsubscribe()` stops it and runs its teardown. */
export interface Subscription extends Unsubscribable {
  /** True once the subscription ended (unsubscribed, errored or completed). */
  readonly closed: boolean;
}

/** Anything that can be subscribed with an observer: an {@link Observable} or an rxjs one. */
export interface Subscribable<T> {
  /** Starts the stream for `observer`. */
  subscribe(observer?: Partial<Observer<T>> | ((value: T) => void)): Unsubscribable;
}

/** What an {@link Observable}'s producer sends to; after `error` or `complete` it sends nothing. */
export interface Subscriber<T> extends Observer<T> {
  /** True once the subscriber stopped (error, complete, or the consumer unsubscribed). */
  readonly closed: boolean;
}

/** What a producer returns to be run when its subscription ends. */
// biome-ignore lint/suspicious/noConfusingVoidType: a producer may return nothing (or `subscriber.complete()`).
export type Teardown = (() => void) | Unsubscribable | undefined | void;

declare global {
  interface SymbolConstructor {
    /** The interop key of observables (the same declaration as rxjs's). */
    readonly observable: symbol;
  }
}

const interop: symbol | '@@observable' =
  (typeof Symbol === 'function' && Symbol.observable) || '@@observable';

// As rxjs does: an error thrown by a consumer, or an error nobody handles, is thrown on its own
// stack, never back into the producer.
const report = (error: unknown) => {
  setTimeout(() => {
    throw error;
  });
};

/**
 * A stream of values, started for each subscriber (cold) by the function given to the constructor,
 * which returns what to run when the subscription ends. To use rxjs operators, wrap it:
 * `from(stream).pipe(...)` (`from` of rxjs).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below only types the interop key the class defines.
export class Observable<T> {
  readonly #produce: (subscriber: Subscriber<T>) => Teardown;

  constructor(produce: (subscriber: Subscriber<T>) => Teardown) {
    this.#produce = produce;
  }

  /** Starts the stream for `observer` (an observer object, or a function for the values). */
  subscribe(observer?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    const target: Partial<Observer<T>> =
      typeof observer === 'function' ? { next: observer } : (observer ?? {});
    let closed = false;
    let teardown: Teardown;
    const end = () => {
      closed = true;
      const ending = teardown;
      teardown = undefined;
      if (typeof ending === 'function') ending();
      else ending?.unsubscribe();
    };
    const call = (method: keyof Observer<T>, value?: unknown) => {
      try {
        (target[method] as (value?: unknown) => void).call(target, value);
      } catch (error) {
        report(error);
      }
    };
    const subscriber: Subscriber<T> = {
      get closed() {
        return closed;
      },
      next: (value) => {
        if (!closed && target.next) call('next', value);
      },
      error: (error) => {
        if (closed) return;
        closed = true;
        if (target.error) call('error', error);
        else report(error);
        end();
      },
      complete: () => {
        if (closed) return;
        closed = true;
        if (target.complete) call('complete');
        end();
      },
    };
    try {
      teardown = this.#produce(subscriber);
    } catch (error) {
      subscriber.error(error);
    }
    // Ended (or unsubscribed) while starting: the teardown it just returned runs now.
    if (closed) end();
    return {
      get closed() {
        return closed;
      },
      unsubscribe: end,
    };
  }

  /** Interop: `from(stream)` of rxjs and other libraries take the stream through this key. */
  [interop](): Observable<T> {
    return this;
  }
}

export interface Observable<T> {
  /** Interop: `from(stream)` of rxjs and other libraries take the stream through this key. */
  [Symbol.observable](): Observable<T>;
}
