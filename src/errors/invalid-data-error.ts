import { IdbSyncError } from './idb-sync-error.js';
import { describeOperation, type IndexedDBErrorContext } from './indexeddb-error.js';

/**
 * A value or key was rejected (`DataError`: not a valid key, or a record lacks the store's keyPath;
 * `DataCloneError`: a value that cannot be stored, such as a function).
 */
export class InvalidDataError extends IdbSyncError {
  override readonly name = 'InvalidDataError' as const;
  readonly code = 'INVALID_DATA' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores involved, when known. */
  declare readonly stores: readonly string[];
  /** What the SDK was doing, when known. */
  declare readonly operation: string | undefined;

  constructor(context: IndexedDBErrorContext, cause?: unknown) {
    super(`${describeOperation(context)} failed: a key or value was rejected`, { cause });
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}
