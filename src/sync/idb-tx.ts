import { isDomExceptionLike, wrapDomException } from '../errors/wrap-dom-exception.js';

/**
 * Returns an open connection. Given `stale` (a connection found closed: starting a transaction on it
 * threw InvalidStateError), it returns a fresh one instead of that one.
 */
export type ConnectionProvider = (stale?: IDBDatabase) => Promise<IDBDatabase>;

/**
 * The requests of one transaction. Every read hands its result to a callback that runs while the
 * transaction is still active, so follow-up requests can be issued from it: this is the only pattern
 * that works on Safari and indexeddbshim, where a transaction goes inactive across an `await`. No
 * promise is awaited inside a transaction.
 */
export class TxScope {
  #error: unknown;
  #failed = false;

  constructor(readonly tx: IDBTransaction) {}

  store(name: string): IDBObjectStore {
    return this.tx.objectStore(name);
  }

  /** Calls `then` with the request's result; an exception in `then` aborts the transaction with it. */
  on<R>(request: IDBRequest<R>, then: (result: R) => void): void {
    request.onsuccess = () => this.guard(() => then(request.result));
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

  /** Runs `fn`, aborting the transaction with the error it throws. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Aborts the transaction; the transaction's promise rejects with `error`. */
  fail(error: unknown): void {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = error;
    }
    try {
      this.tx.abort();
    } catch {
      // Already finished or aborting: the promise settles from its own events.
    }
  }

  get failure(): { failed: boolean; error: unknown } {
    return { failed: this.#failed, error: this.#error };
  }
}

/** Options of {@link transact}. */
export interface TransactOptions {
  /**
   * `relaxed` lets the browser report completion before the data reaches the disk (faster); the
   * transaction is still atomic. Default `default`.
   */
  readonly durability?: IDBTransactionDurability;
}

/**
 * Runs one transaction: `body` issues its requests (and follow-ups from their callbacks) and returns a
 * function that computes the result; the promise settles after the transaction completes, so a
 * resolved promise means the writes are committed. A connection closed under us (another tab's
 * upgrade, a browser eviction) is replaced once. IndexedDB errors reject as the SDK's typed errors
 * (`StorageQuotaError`, `ConstraintViolationError`, …) with the DOMException as `cause`.
 */
export async function transact<T>(
  connect: ConnectionProvider,
  stores: readonly string[],
  mode: IDBTransactionMode,
  body: (scope: TxScope) => () => T,
  options: TransactOptions = {},
): Promise<T> {
  const tx = await openTransaction(connect, stores, mode, options);
  return new Promise<T>((resolve, reject) => {
    const scope = new TxScope(tx);
    let result: (() => T) | undefined;
    tx.oncomplete = () => {
      try {
        resolve(result ? result() : (undefined as T));
      } catch (error) {
        reject(error);
      }
    };
    tx.onabort = () => {
      const { failed, error } = scope.failure;
      const cause = failed ? error : (tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
      // IndexedDB failures become the SDK's typed errors (a full disk is a StorageQuotaError…).
      reject(
        isDomExceptionLike(cause)
          ? wrapDomException(cause, { database: tx.db.name, stores, operation: 'sync' })
          : cause,
      );
    };
    // Request errors bubble to the transaction and abort it; onabort reports them.
    tx.onerror = () => undefined;
    try {
      result = body(scope);
    } catch (error) {
      scope.fail(error);
    }
  });
}

async function openTransaction(
  connect: ConnectionProvider,
  stores: readonly string[],
  mode: IDBTransactionMode,
  options: TransactOptions,
): Promise<IDBTransaction> {
  const txOptions: IDBTransactionOptions | undefined =
    options.durability === undefined ? undefined : { durability: options.durability };
  const db = await connect();
  try {
    return db.transaction([...stores], mode, txOptions);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'InvalidStateError') throw error;
    // Closed under us, maybe without the handle hearing of it (no `close` event): ask for a new one.
    const fresh = await connect(db);
    try {
      return fresh.transaction([...stores], mode, txOptions);
    } catch (again) {
      throw isDomExceptionLike(again)
        ? wrapDomException(again, { database: fresh.name, stores, operation: 'sync' })
        : again;
    }
  }
}
