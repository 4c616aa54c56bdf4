import { IdbSyncError } from './idb-sync-error.js';

/**
 * The callback given to `read()` / `write()` threw (or rejected) with an error of its own; the
 * transaction was aborted, so nothing it wrote was kept. The callback's error is the `cause`.
 */
export class TransactionCallbackError extends IdbSyncError {
  override readonly name = 'TransactionCallbackError' as const;
  readonly code = 'TRANSACTION_CALLBACK_FAILED' as const;

  /** The database name. */
  declare readonly database: string;
  /** The stores of the aborted transaction. */
  declare readonly stores: readonly string[];
  /** `read` or `write`. */
  declare readonly operation: string;

  constructor(database: string, stores: readonly string[], operation: string, cause: unknown) {
    super(
      `The ${operation} callback on [${stores.join(', ')}] in database "${database}" threw; the transaction was aborted`,
      {
        cause,
      },
    );
    this.database = database;
    this.stores = stores;
    this.operation = operation;
  }
}
