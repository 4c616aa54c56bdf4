import { IdbSyncError } from './idb-sync-error.js';
import { describeOperation, type IndexedDBErrorContext } from './indexeddb-error.js';

/**
 * The connection was lost under an operation and the one retry on a fresh connection failed too, or
 * the operation was cut short by `close()` / `deleteDatabase()`.
 */
export class DatabaseClosedError extends IdbSyncError {
  override readonly name = 'DatabaseClosedError' as const;
  readonly code = 'DATABASE_CLOSED' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores involved, when known. */
  declare readonly stores: readonly string[];
  /** What the SDK was doing, when known. */
  declare readonly operation: string | undefined;

  constructor(context: IndexedDBErrorContext, cause?: unknown) {
    super(`${describeOperation(context)} failed: the database connection was closed`, { cause });
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}
