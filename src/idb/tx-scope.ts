import { abortTransaction } from './abort-transaction.js';

/** Options of a {@link TxScope}. */
export interface TxScopeOptions {
  /** Turns the raw failure (a DOMException, a throw from a callback) into the error to report. Default: as is. */
  readonly describe?: (error: unknown) => unknown;
  /** Called once, with the described error, when the scope fails. */
  readonly onFail?: (error: unknown) => void;
}

/**
 * The requests of one transaction, sequenced with callbacks. Every read hands its result to a
 * callback that runs while the transaction is still active, so follow-up requests are issued from
 * it: the only pattern that works on Safari and indexeddbshim, where a transaction goes inactive
 * across an `await`. No promise is awaited inside a transaction.
 *
 * The first failure wins: a request error, a throw from a callback, or an abort nobody asked for
 * (a unique index failing to build, the quota) fails the scope once and aborts the transaction;
 * callbacks still queued then do nothing. Used by the sync engine ({@link transact}) and by upgrades
 * (on the versionchange transaction).
 */
export class TxScope {
  #failed = false;
  #error: unknown;
  #requested = false;
  readonly #describe: (error: unknown) => unknown;
  readonly #onFail: ((error: unknown) => void) | undefined;

  constructor(
    readonly tx: IDBTransaction,
    options: TxScopeOptions = {},
  ) {
    this.#describe = options.describe ?? ((error) => error);
    this.#onFail = options.onFail;
    tx.addEventListener('abort', () =>
      this.fail(tx.error ?? new DOMException('Transaction aborted', 'AbortError')),
    );
  }

  /** The object store `name` of the transaction. */
  store(name: string): IDBObjectStore {
    return this.tx.objectStore(name);
  }

  /** True once the scope failed. */
  get failed(): boolean {
    return this.#failed;
  }

  /** The reported (described) error of a failed scope. */
  get error(): unknown {
    return this.#error;
  }

  /** Whether the scope failed, and with what. */
  get failure(): { failed: boolean; error: unknown } {
    return { failed: this.#failed, error: this.#error };
  }

  /**
   * Calls `then` with the request's result from inside its success event (the transaction is still
   * active); a throw in `then` fails the scope with it. A request error fails the scope too.
   */
  on<R>(request: IDBRequest<R>, then?: (result: R) => void): void {
    this.#requested = true;
    request.onsuccess = () => {
      if (then) this.guard(() => then(request.result));
    };
    request.onerror = (event) => {
      // Handled here: the scope aborts the transaction itself and reports the request's error.
      event.preventDefault();
      this.fail(request.error);
    };
  }

  /**
   * Calls `then` once every request has succeeded, with their results in order (at once when there
   * are none).
   */
  all<R>(requests: readonly IDBRequest<R>[], then: (results: R[]) => void): void {
    const results: R[] = new Array(requests.length);
    let left = requests.length;
    if (left === 0) {
      this.guard(() => then(results));
      return;
    }
    requests.forEach((request, i) => {
      this.on(request, (result) => {
        results[i] = result;
        left -= 1;
        if (left === 0) then(results);
      });
    });
  }

  /** Walks a cursor to its end, calling `each` per position; then calls `done`. */
  walk<C extends IDBCursor>(
    request: IDBRequest<C | null>,
    each: (cursor: C) => void,
    done: () => void,
  ): void {
    this.on(request, (cursor) => {
      if (cursor === null) {
        done();
        return;
      }
      each(cursor);
      cursor.continue();
    });
  }

  /** Runs `fn` now (unless the scope already failed), failing the scope with what it throws. */
  guard(fn: () => void): void {
    if (this.#failed) return;
    try {
      fn();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Fails the scope once, with the first error, and aborts the transaction. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    // An AbortError of one request is the symptom; the transaction's own error is the cause.
    const cause = isAbort(error) && this.tx.error ? this.tx.error : error;
    this.#error = this.#describe(cause);
    // Before any request ran, abort from a request callback (indexeddbshim wedges otherwise).
    abortTransaction(this.tx, this.#requested ? undefined : this.tx.objectStoreNames[0]);
    this.#onFail?.(this.#error);
  }
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
