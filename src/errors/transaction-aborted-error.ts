import { IdbSyncError } from './idb-sync-error.js';
import { describeOperation, type IndexedDBErrorContext } from './indexeddb-error.js';

/**
 * A transaction was aborted (`AbortError`) by the browser or by a failed request, and was not
 * retried. Nothing it wrote was kept.
 */
export class TransactionAbortedError extends IdbSyncError {
  override readonly name = 'TransactionAbortedError' as const;
  readonly code = 'TRANSACTION_ABORTED' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores involved, when known. */
  declare readonly stores: readonly string[];
  /** What the SDK was doing, when known. */
  declare readonly operation: string | undefined;

  constructor(context: IndexedDBErrorContext, cause?: unknown) {
    super(`${describeOperation(context)} failed: the transaction was aborted`, { cause });
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}
