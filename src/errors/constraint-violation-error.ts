import { IdbSyncError } from './idb-sync-error.js';
import { describeOperation, type IndexedDBErrorContext } from './indexeddb-error.js';

/**
 * A write broke a constraint (`ConstraintError`): `add` of an existing key, or a duplicate value in a
 * unique index. The transaction was rolled back.
 */
export class ConstraintViolationError extends IdbSyncError {
  override readonly name = 'ConstraintViolationError' as const;
  readonly code = 'CONSTRAINT_VIOLATION' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores involved, when known. */
  declare readonly stores: readonly string[];
  /** What the SDK was doing, when known. */
  declare readonly operation: string | undefined;

  constructor(context: IndexedDBErrorContext, cause?: unknown) {
    super(`${describeOperation(context)} failed: a key or unique index constraint was violated`, { cause });
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}
