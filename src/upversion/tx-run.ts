/**
 * Callback-style sequencing inside one IndexedDB transaction.
 *
 * Why callbacks and not async/await: Safari (older releases) and indexeddbshim end a transaction
 * as soon as a request's success event has been dispatched with no new request issued, and an
 * `await` continues only after that. So every follow-up request is issued from inside the previous
 * request's success callback, and a failure anywhere aborts the whole transaction.
 */
export class TxRun {
  #failed = false;
  #failure: unknown;

  constructor(
    readonly tx: IDBTransaction,
    /** Turns a raw failure (a DOMException, a throw from a callback) into the error to report. */
    private readonly describe: (error: unknown) => unknown,
    private readonly onFail: (error: unknown) => void,
  ) {
    // An abort nobody asked for (a unique index failing to build, the quota) still fails the run.
    tx.addEventListener('abort', () =>
      this.fail(tx.error ?? new DOMException('Transaction aborted', 'AbortError')),
    );
  }

  /** True once the run failed; callbacks still queued then do nothing. */
  get failed(): boolean {
    return this.#failed;
  }

  /** The reported error of a failed run. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Fails the run once, with the first error, and aborts the transaction. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    // An AbortError of one request is the symptom; the transaction's own error is the cause.
    const cause = isAbort(error) && this.tx.error ? this.tx.error : error;
    this.#failure = this.describe(cause);
    try {
      this.tx.abort();
    } catch {
      // Already aborting or finished: nothing to undo.
    }
    this.onFail(this.#failure);
  }

  /** Runs `fn` now, failing the run if it throws. */
  run(fn: () => void): void {
    if (this.#failed) return;
    try {
      fn();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Calls `then` with the request's result from inside its success event (the transaction is active). */
  request<T>(request: IDBRequest<T>, then?: (result: T) => void): void {
    request.onsuccess = () => {
      if (then) this.run(() => then(request.result));
    };
    request.onerror = (event) => {
      // Handled here: the run aborts the transaction itself and reports the request's error.
      event.preventDefault();
      this.fail(request.error);
    };
  }
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** Runs `each` over `items` one after the other, then `done`. */
export function series<T>(
  run: TxRun,
  items: readonly T[],
  each: (item: T, next: () => void) => void,
  done: () => void,
): void {
  let i = 0;
  const next = (): void =>
    run.run(() => {
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
  run: TxRun,
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
    else if (outcome) run.fail(outcome.error);
    else if (Date.now() > deadline) {
      run.fail(
        new Error('the migration did not settle in time; it must not wait on anything outside the upgrade'),
      );
    } else run.request(run.tx.objectStore(keepAliveStore).get(keepAliveKey), poll);
  };
  run.run(poll);
}

const keepAliveKey = '\u0000keep-alive';
