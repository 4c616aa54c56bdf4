import { IdbSyncError } from './idb-sync-error.js';
import { describeOperation, type IndexedDBErrorContext } from './indexeddb-error.js';

/**
 * The browser refused a write because the origin's storage quota is exhausted (`QuotaExceededError`).
 * The transaction was rolled back; free space (or ask for `persist`) and retry.
 */
export class StorageQuotaError extends IdbSyncError {
  override readonly name = 'StorageQuotaError' as const;
  readonly code = 'STORAGE_QUOTA_EXCEEDED' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores involved, when known. */
  declare readonly stores: readonly string[];
  /** What the SDK was doing, when known. */
  declare readonly operation: string | undefined;

  constructor(context: IndexedDBErrorContext, cause?: unknown) {
    super(`${describeOperation(context)} failed: the storage quota is exhausted`, { cause });
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}
