import { DatabaseClosedError } from '../errors/database-closed-error.js';
import type { IdbSyncError } from '../errors/idb-sync-error.js';
import { abortTransaction } from './abort-transaction.js';
import { classifyFailure } from './classify-failure.js';
import type { Connection, ConnectionSource } from './connection.js';
import { finishedOrLost } from './lost-connection.js';
import { openTransaction, type TransactionOptions } from './open-transaction.js';

type Outcome<R> = { ok: true; value: R } | { ok: false; error: IdbSyncError; retry: boolean };

/**
 * Runs `fn` in a fresh transaction (the raw one; app callbacks get it wrapped by
 * `promiseTransaction`) and resolves with its result once the transaction completed. When the
 * connection turns out to be dead (starting the transaction throws `InvalidStateError`, or the
 * transaction is aborted by a lost connection) it reopens and runs `fn` once more; so `fn` may run
 * twice and should only write through `tx`. If `fn` throws, the transaction is aborted and the
 * error comes back typed ({@link TransactionCallbackError}, or the error's own kind). The callback
 * style of the sync engine is {@link transact}.
 */
export async function runTransaction<R>(
  source: ConnectionSource,
  stores: readonly string[],
  mode: 'readonly' | 'readwrite',
  fn: (tx: IDBTransaction) => R | PromiseLike<R>,
  options: TransactionOptions = {},
): Promise<R> {
  const operation = mode === 'readonly' ? 'read' : 'write';
  for (let attempt = 1; ; attempt++) {
    const connection = await source.connect();
    const outcome = await attemptOnce(source, connection, stores, mode, fn, options, operation);
    if (outcome.ok) return outcome.value;
    if (!outcome.retry) throw outcome.error;
    source.discard(connection);
    if (attempt === 2) throw outcome.error;
  }
}

async function attemptOnce<R>(
  source: ConnectionSource,
  connection: Connection,
  stores: readonly string[],
  mode: 'readonly' | 'readwrite',
  fn: (tx: IDBTransaction) => R | PromiseLike<R>,
  options: TransactionOptions,
  operation: string,
): Promise<Outcome<R>> {
  const context = { database: source.database, stores, operation };
  const opened = openTransaction(connection, stores, mode, options, context);
  if (!opened.ok) return opened;
  const raw = opened.tx;
  // Set from event listeners; typed wide so the checks after `await` are not narrowed away.
  let state = 'running' as 'running' | 'complete' | 'aborted';
  const finished = new Promise<void>((resolve) => {
    raw.addEventListener('complete', () => {
      state = 'complete';
      resolve();
    });
    raw.addEventListener('abort', () => {
      state = 'aborted';
      resolve();
    });
  });
  let value: R | undefined;
  let thrown: { error: unknown } | undefined;
  const ran = (async () => fn(raw))().then(
    (result) => {
      value = result;
    },
    (error: unknown) => {
      thrown = { error };
      if (state === 'running') abortTransaction(raw, stores[0]);
    },
  );
  // Once the handle hears `close`, a transaction still gets a grace period to report how it ended;
  // after that, retry on a fresh connection.
  const lost = await finishedOrLost(Promise.all([ran, finished]), connection, source.lostConnectionGraceMs);
  if (lost && state === 'running') {
    const error = new DOMException('The connection was lost before the transaction finished', 'UnknownError');
    return { ok: false, error: new DatabaseClosedError(context, error), retry: true };
  }
  if (lost) await ran; // the transaction ended; only the callback itself is still running
  if (state === 'complete' && !thrown) return { ok: true, value: value as R };
  return classifyFailure(context, {
    aborted: state === 'aborted',
    txError: raw.error,
    thrown,
    connectionDead: connection.dead,
  });
}
