import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { unwrap } from 'idb';
import { DatabaseClosedError } from '../errors/database-closed-error.js';
import { type IdbSyncError, isIdbSyncError } from '../errors/idb-sync-error.js';
import { TransactionAbortedError } from '../errors/transaction-aborted-error.js';
import { TransactionCallbackError } from '../errors/transaction-callback-error.js';
import { domExceptionName, isDomExceptionLike, wrapDomException } from '../errors/wrap-dom-exception.js';

/** One connection of a handle. `dead` turns true on `close`/`versionchange` or when it was found closed. */
export interface Connection {
  readonly raw: IDBDatabase;
  readonly db: IDBPDatabase<unknown>;
  dead: boolean;
  /** Resolves when the browser dropped the connection (`close` event). */
  readonly lost: Promise<void>;
}

/** What {@link runTransaction} needs from the handle. */
export interface ConnectionSource {
  readonly database: string;
  /** How long a transaction may take to finish after its connection was dropped, in milliseconds. */
  readonly lostConnectionGraceMs: number;
  /** A live connection, opening one if needed. */
  connect(): Promise<Connection>;
  /** Drops a connection found dead, so the next `connect()` opens a fresh one. */
  discard(connection: Connection): void;
}

/** Options of one transaction. */
export interface TransactionOptions {
  /** IndexedDB durability hint. Default `'default'` (the browser's choice). */
  readonly durability?: IDBTransactionDurability;
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: IdbSyncError; retry: boolean };

// The names a lost connection shows up as: Safari's "Connection to Indexed Database server lost"
// (UnknownError), a transaction aborted by a forced close (AbortError), or a closed connection.
const connectionLoss = new Set(['UnknownError', 'AbortError', 'InvalidStateError']);

/**
 * Runs `fn` in a fresh transaction and resolves with its result once the transaction completed.
 * When the connection turns out to be dead (starting the transaction throws `InvalidStateError`,
 * or the transaction is aborted by a lost connection) it reopens and runs `fn` once more; so `fn`
 * may run twice and should only write through `tx`. If `fn` throws, the transaction is aborted and
 * the error comes back typed ({@link TransactionCallbackError}, or the error's own kind).
 */
export async function runTransaction<R, Mode extends 'readonly' | 'readwrite'>(
  source: ConnectionSource,
  stores: readonly string[],
  mode: Mode,
  fn: (tx: IDBPTransaction<unknown, string[], Mode>) => R | PromiseLike<R>,
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

async function attemptOnce<R, Mode extends 'readonly' | 'readwrite'>(
  source: ConnectionSource,
  connection: Connection,
  stores: readonly string[],
  mode: Mode,
  fn: (tx: IDBPTransaction<unknown, string[], Mode>) => R | PromiseLike<R>,
  options: TransactionOptions,
  operation: string,
): Promise<Outcome<R>> {
  const context = { database: source.database, stores, operation };
  let tx: IDBPTransaction<unknown, string[], Mode>;
  try {
    tx = connection.db.transaction(
      [...stores],
      mode,
      options.durability ? { durability: options.durability } : {},
    );
  } catch (error) {
    if (domExceptionName(error) === 'InvalidStateError') {
      connection.dead = true; // closed under us (by other code, or a close event we never got)
      return { ok: false, error: new DatabaseClosedError(context, error), retry: true };
    }
    return { ok: false, error: wrapDomException(error, context), retry: false };
  }
  const raw = unwrap(tx) as IDBTransaction;
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
  tx.done.catch(() => {}); // observed through the events above
  let value: R | undefined;
  let thrown: { error: unknown } | undefined;
  const ran = (async () => fn(tx))().then(
    (result) => {
      value = result;
    },
    (error: unknown) => {
      thrown = { error };
      if (state === 'running') abortTransaction(raw, stores[0]!);
    },
  );
  // Safari can drop its IndexedDB connection without ever finishing the transactions on it. Once
  // the handle hears `close`, a transaction still gets a grace period to report how it ended (a
  // close normally aborts or completes it right away); after that, retry on a fresh connection.
  let grace: ReturnType<typeof setTimeout> | undefined;
  let decided = false;
  const lost = await Promise.race([
    Promise.all([ran, finished]).then(() => false),
    connection.lost.then(
      () =>
        new Promise<boolean>((resolve) => {
          if (!decided) grace = setTimeout(() => resolve(true), source.lostConnectionGraceMs);
        }),
    ),
  ]);
  decided = true;
  clearTimeout(grace);
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

/** How a transaction ended badly, as seen once it finished. */
export interface FailedTransaction {
  /** The transaction aborted (rather than committed). */
  readonly aborted: boolean;
  /** `transaction.error`: null when the transaction was aborted by `abort()`. */
  readonly txError: { readonly name: string } | null;
  /** What the callback threw, if it threw. */
  readonly thrown: { readonly error: unknown } | undefined;
  /** The handle saw the connection close or change meanwhile. */
  readonly connectionDead: boolean;
}

/**
 * Turns a failed transaction into its typed error, and says whether a retry on a fresh connection
 * may help: only when the connection was lost (the transaction aborted with `UnknownError` /
 * `AbortError`, or while the connection was known dead). A transaction the callback aborted, or one
 * that failed on its own (a constraint, the quota), is never retried.
 */
export function classifyFailure(
  context: { database: string; stores: readonly string[]; operation: string },
  failed: FailedTransaction,
): { ok: false; error: IdbSyncError; retry: boolean } {
  const { txError, thrown } = failed;
  if (failed.aborted) {
    if (txError && (connectionLoss.has(txError.name) || failed.connectionDead)) {
      return { ok: false, error: new DatabaseClosedError(context, txError), retry: true };
    }
    if (txError) return { ok: false, error: wrapDomException(txError, context), retry: false };
    // No transaction error: `fn` threw (and we aborted) or `fn` itself called abort().
    if (!thrown || domExceptionName(thrown.error) === 'AbortError') {
      return { ok: false, error: new TransactionAbortedError(context, thrown?.error), retry: false };
    }
  }
  return { ok: false, error: callbackError(context, thrown?.error), retry: false };
}

function callbackError(
  context: { database: string; stores: readonly string[]; operation: string },
  error: unknown,
): IdbSyncError {
  if (isIdbSyncError(error)) return error;
  if (isDomExceptionLike(error)) return wrapDomException(error, context);
  return new TransactionCallbackError(context.database, context.stores, context.operation, error);
}

/**
 * Aborts `tx` from inside a request callback rather than right away: indexeddbshim 17 wedges the
 * connection when a transaction is aborted before its first request ran (every later transaction
 * on it hangs). Elsewhere this costs one read of a key that does not exist.
 */
function abortTransaction(tx: IDBTransaction, store: string): void {
  const abort = (): void => {
    try {
      tx.abort();
    } catch {
      // already finishing on its own
    }
  };
  try {
    const probe = tx.objectStore(store).get(abortProbeKey);
    probe.onsuccess = abort;
    probe.onerror = abort;
  } catch {
    abort(); // no longer active: abort directly
  }
}

const abortProbeKey = '\u0000idb-sync:abort';
