import { ConstraintViolationError } from './constraint-violation-error.js';
import { type IdbSyncError, isIdbSyncError } from './idb-sync-error.js';
import { IndexedDBError, type IndexedDBErrorContext } from './indexeddb-error.js';
import { InvalidDataError } from './invalid-data-error.js';
import { StorageQuotaError } from './storage-quota-error.js';
import { TransactionAbortedError } from './transaction-aborted-error.js';

/**
 * True for a DOMException from any IndexedDB implementation. Duck-typed on `name`, because
 * fake-indexeddb, indexeddbshim and browsers each have their own DOMException class.
 */
export function isDomExceptionLike(value: unknown): value is { name: string; message: string } {
  if (typeof DOMException !== 'undefined' && value instanceof DOMException) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    /(Error|Err)$/.test((value as { name: string }).name) &&
    typeof (value as { code?: unknown }).code === 'number'
  );
}

/** The DOMException name of `value`, or undefined when it is not one. */
export function domExceptionName(value: unknown): string | undefined {
  return isDomExceptionLike(value) ? value.name : undefined;
}

/**
 * Turns an IndexedDB DOMException into the matching typed error, keeping the original as `cause`.
 * An idb-sync error is returned as it is; any other value becomes an {@link IndexedDBError}
 * named after it. `VersionError` is handled where the open knows both versions.
 */
export function wrapDomException(error: unknown, context: IndexedDBErrorContext): IdbSyncError {
  if (isIdbSyncError(error)) return error;
  const name = isDomExceptionLike(error) ? error.name : 'UnknownError';
  switch (name) {
    case 'QuotaExceededError':
      return new StorageQuotaError(context, error);
    case 'ConstraintError':
      return new ConstraintViolationError(context, error);
    case 'AbortError':
      return new TransactionAbortedError(context, error);
    case 'DataError':
    case 'DataCloneError':
      return new InvalidDataError(context, error);
    default:
      return new IndexedDBError(context, name, error);
  }
}
