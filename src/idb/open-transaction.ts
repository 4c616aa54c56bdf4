import { DatabaseClosedError } from '../errors/database-closed-error.js';
import type { IdbSyncError } from '../errors/idb-sync-error.js';
import type { IndexedDBErrorContext } from '../errors/indexeddb-error.js';
import { domExceptionName, wrapDomException } from '../errors/wrap-dom-exception.js';
import type { Connection } from './connection.js';

/** Options of one transaction. */
export interface TransactionOptions {
  /**
   * IndexedDB durability hint: `relaxed` lets the browser report completion before the data reaches
   * the disk (faster; the transaction is still atomic). Default `'default'` (the browser's choice).
   */
  readonly durability?: IDBTransactionDurability;
}

/** A started transaction, or why none could start and whether a fresh connection may help. */
export type Opened =
  | { readonly ok: true; readonly tx: IDBTransaction }
  | { readonly ok: false; readonly error: IdbSyncError; readonly retry: boolean };

/**
 * Starts a transaction on `connection`. A connection closed under us (by other code, or a `close`
 * event we never got) throws `InvalidStateError`: it is marked dead and the caller may retry on a
 * fresh one. Any other failure (an unknown store…) comes back typed, not to be retried.
 */
export function openTransaction(
  connection: Connection,
  stores: readonly string[],
  mode: IDBTransactionMode,
  options: TransactionOptions,
  context: Required<Pick<IndexedDBErrorContext, 'database' | 'stores' | 'operation'>>,
): Opened {
  try {
    const tx = connection.raw.transaction(
      [...stores],
      mode,
      options.durability ? { durability: options.durability } : undefined,
    );
    return { ok: true, tx };
  } catch (error) {
    if (domExceptionName(error) === 'InvalidStateError') {
      connection.dead = true;
      return { ok: false, error: new DatabaseClosedError(context, error), retry: true };
    }
    return { ok: false, error: wrapDomException(error, context), retry: false };
  }
}

/**
 * A transaction on a live connection of `source`: a connection found closed is discarded and the
 * transaction started once more on a fresh one.
 */
export async function startTransaction(
  source: {
    connect(): Promise<Connection>;
    discard(connection: Connection): void;
  },
  stores: readonly string[],
  mode: IDBTransactionMode,
  options: TransactionOptions,
  context: Required<Pick<IndexedDBErrorContext, 'database' | 'stores' | 'operation'>>,
): Promise<{ readonly connection: Connection; readonly tx: IDBTransaction }> {
  for (let attempt = 1; ; attempt++) {
    const connection = await source.connect();
    const opened = openTransaction(connection, stores, mode, options, context);
    if (opened.ok) return { connection, tx: opened.tx };
    if (!opened.retry || attempt === 2) throw opened.error;
    source.discard(connection);
  }
}
