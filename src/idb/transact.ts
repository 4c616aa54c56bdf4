import { DatabaseClosedError } from '../errors/database-closed-error.js';
import { isDomExceptionLike, wrapDomException } from '../errors/wrap-dom-exception.js';
import type { ConnectionSource } from './connection.js';
import { finishedOrLost } from './lost-connection.js';
import { startTransaction, type TransactionOptions } from './open-transaction.js';
import { TxScope } from './tx-scope.js';

export type { ConnectionSource } from './connection.js';
export type { TransactionOptions } from './open-transaction.js';
export type { TxScope } from './tx-scope.js';

/**
 * Runs one transaction in the callback style of the sync engine: `body` issues its requests through
 * the {@link TxScope} (and follow-ups from their callbacks) and returns a function that computes the
 * result; the promise settles after the transaction completes, so a resolved promise means the
 * writes are committed. A connection found closed when the transaction starts (another tab's
 * upgrade, a browser eviction, other code) is replaced once; `body` runs once. A connection dropped
 * while the transaction runs and that never finishes it (Safari) rejects with `DatabaseClosedError`
 * after the source's grace period. IndexedDB errors reject as the SDK's typed errors
 * (`StorageQuotaError`, `ConstraintViolationError`, …) with the DOMException as `cause`; what
 * `body` or a callback throws rejects as it is.
 */
export async function transact<T>(
  connect: ConnectionSource,
  stores: readonly string[],
  mode: IDBTransactionMode,
  body: (scope: TxScope) => () => T,
  options: TransactionOptions = {},
): Promise<T> {
  const context = { database: connect.database, stores, operation: 'sync' };
  const { connection, tx } = await startTransaction(connect, stores, mode, options, context);
  const scope = new TxScope(tx, {
    // IndexedDB failures become the SDK's typed errors (a full disk is a StorageQuotaError…).
    describe: (error) => (isDomExceptionLike(error) ? wrapDomException(error, context) : error),
  });
  let settled = false;
  const finished = new Promise<T>((resolve, reject) => {
    let result: (() => T) | undefined;
    tx.addEventListener('complete', () => {
      settled = true;
      try {
        resolve(result ? result() : (undefined as T));
      } catch (error) {
        reject(error);
      }
    });
    tx.addEventListener('abort', () => {
      settled = true;
      reject(scope.error);
    });
    // Request errors the body did not handle bubble to the transaction and abort it; the scope
    // reports them from the abort.
    tx.onerror = () => undefined;
    scope.guard(() => {
      result = body(scope);
    });
  });
  const lost = await finishedOrLost(
    finished.then(
      () => undefined,
      () => undefined,
    ),
    connection,
    connect.lostConnectionGraceMs,
  );
  if (lost && !settled) {
    connect.discard(connection);
    const cause = new DOMException('The connection was lost before the transaction finished', 'UnknownError');
    throw new DatabaseClosedError(context, cause);
  }
  return finished;
}
