import type { TxScope } from './tx-scope.js';

/** Runs `each` over `items` one after the other (each calls `next` when done), then `done`. */
export function series<T>(
  scope: TxScope,
  items: readonly T[],
  each: (item: T, next: () => void) => void,
  done: () => void,
): void {
  let i = 0;
  const next = (): void =>
    scope.guard(() => {
      if (i >= items.length) return done();
      each(items[i++] as T, next);
    });
  next();
}

/**
 * Waits for a promise (an async migration) without letting the transaction commit meanwhile: a
 * cheap `get` keeps a request pending until the promise settles, and `then` runs from inside that
 * request's success event. A promise that settles through microtasks only costs one request; one
 * that waits on the network still works but is bounded by `deadline` (ms since the epoch).
 */
export function settle<T>(
  scope: TxScope,
  promise: Promise<T>,
  keepAliveStore: string,
  deadline: number,
  then: (value: T) => void,
): void {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      outcome = { ok: false, error };
    },
  );
  const poll = (): void => {
    if (outcome?.ok) then(outcome.value);
    else if (outcome) scope.fail(outcome.error);
    else if (Date.now() > deadline) {
      scope.fail(
        new Error('the migration did not settle in time; it must not wait on anything outside the upgrade'),
      );
    } else scope.on(scope.tx.objectStore(keepAliveStore).get(keepAliveKey), poll);
  };
  scope.guard(poll);
}

const keepAliveKey = '\u0000keep-alive';
