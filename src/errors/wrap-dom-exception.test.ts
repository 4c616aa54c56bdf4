import { describe, expect, it } from 'vitest';
import { ConstraintViolationError, isConstraintViolationError } from './constraint-violation-error.js';
import { DatabaseClosedError, isDatabaseClosedError } from './database-closed-error.js';
import { DatabaseVersionError, isDatabaseVersionError } from './database-version-error.js';
import { DeleteBlockedError, isDeleteBlockedError } from './delete-blocked-error.js';
import { IndexedDBError, isIndexedDBError } from './indexeddb-error.js';
import { IndexedDBUnavailableError, isIndexedDBUnavailableError } from './indexeddb-unavailable-error.js';
import { InvalidDataError, isInvalidDataError } from './invalid-data-error.js';
import { isOpenTimeoutError, OpenTimeoutError } from './open-timeout-error.js';
import { isSchemaDefinitionError, SchemaDefinitionError } from './schema-definition-error.js';
import { isSchemaMismatchError, SchemaMismatchError } from './schema-mismatch-error.js';
import { isStorageQuotaError, StorageQuotaError } from './storage-quota-error.js';
import { isSyncError, type SyncError } from './sync-error.js';
import { isTransactionAbortedError, TransactionAbortedError } from './transaction-aborted-error.js';
import { isTransactionCallbackError, TransactionCallbackError } from './transaction-callback-error.js';
import { isUpgradeFailedError, UpgradeFailedError } from './upgrade-failed-error.js';
import { isDomExceptionLike, wrapDomException } from './wrap-dom-exception.js';

const context = { database: 'app', stores: ['work_orders'], operation: 'write' };

/** A real DOMException raised by the IndexedDB backend under test: `add` of an existing key. */
async function realConstraintError(): Promise<unknown> {
  const name = `wrap-${Math.random()}`;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('s', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction('s', 'readwrite');
  tx.objectStore('s').add({ id: 1 });
  const second = tx.objectStore('s').add({ id: 1 });
  const error = await new Promise((resolve) => {
    second.onerror = (event) => {
      event.preventDefault();
      resolve(second.error);
    };
  });
  db.close();
  indexedDB.deleteDatabase(name);
  return error;
}

describe('wrapDomException', () => {
  it('maps a real ConstraintError from the backend to ConstraintViolationError with the original as cause', async () => {
    const original = await realConstraintError();
    expect(isDomExceptionLike(original)).toBe(true);
    const error = wrapDomException(original, context);
    expect(error).toBeInstanceOf(ConstraintViolationError);
    expect(error.cause).toBe(original);
    expect(error.message).toBe(
      'write on [work_orders] in database "app" failed: a key or unique index constraint was violated',
    );
    expect(isConstraintViolationError(error)).toBe(true);
    expect((error as ConstraintViolationError).stores).toEqual(['work_orders']);
  });

  it.each([
    ['QuotaExceededError', StorageQuotaError, 'STORAGE_QUOTA_EXCEEDED'],
    ['AbortError', TransactionAbortedError, 'TRANSACTION_ABORTED'],
    ['DataError', InvalidDataError, 'INVALID_DATA'],
    ['DataCloneError', InvalidDataError, 'INVALID_DATA'],
    ['UnknownError', IndexedDBError, 'INDEXEDDB_ERROR'],
    ['NotFoundError', IndexedDBError, 'INDEXEDDB_ERROR'],
  ] as const)('maps %s to its typed error', (domName, type, code) => {
    const original = new DOMException('browser text', domName);
    const error = wrapDomException(original, context);
    expect(error).toBeInstanceOf(type);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(original);
  });

  it('keeps the DOMException name of errors without a more specific kind and hints at inactive transactions', () => {
    const error = wrapDomException(
      new DOMException('x', 'TransactionInactiveError'),
      context,
    ) as IndexedDBError;
    expect(error.domExceptionName).toBe('TransactionInactiveError');
    expect(error.message).toContain('issue all requests before awaiting anything else');
  });

  it('returns an idb-sync error unchanged', () => {
    const original = new DeleteBlockedError('app', 5);
    expect(wrapDomException(original, context)).toBe(original);
  });

  it('does not take a plain Error for a DOMException', () => {
    expect(isDomExceptionLike(new Error('x'))).toBe(false);
    expect(isDomExceptionLike({ name: 'AbortError' })).toBe(false);
  });
});

describe('error kinds of the foundation', () => {
  const cause = new Error('inner');
  const kinds: [SyncError, (value: unknown) => boolean, string, string][] = [
    [
      new UpgradeFailedError('app', 1, 3, 2, 'work_orders', cause),
      isUpgradeFailedError,
      'UpgradeFailedError',
      'UPGRADE_FAILED',
    ],
    [
      new IndexedDBUnavailableError('app', 'missing'),
      isIndexedDBUnavailableError,
      'IndexedDBUnavailableError',
      'INDEXEDDB_UNAVAILABLE',
    ],
    [
      new DatabaseVersionError('app', 2, 3),
      isDatabaseVersionError,
      'DatabaseVersionError',
      'DATABASE_VERSION_TOO_OLD',
    ],
    [
      new SchemaDefinitionError('app', 'bad'),
      isSchemaDefinitionError,
      'SchemaDefinitionError',
      'INVALID_SCHEMA',
    ],
    [
      new SchemaMismatchError('app', 2, ['a.byX']),
      isSchemaMismatchError,
      'SchemaMismatchError',
      'SCHEMA_MISMATCH',
    ],
    [new DeleteBlockedError('app', 10), isDeleteBlockedError, 'DeleteBlockedError', 'DELETE_BLOCKED'],
    [new OpenTimeoutError('app', 10), isOpenTimeoutError, 'OpenTimeoutError', 'OPEN_TIMEOUT'],
    [
      new TransactionCallbackError('app', ['a'], 'write', cause),
      isTransactionCallbackError,
      'TransactionCallbackError',
      'TRANSACTION_CALLBACK_FAILED',
    ],
    [new DatabaseClosedError(context), isDatabaseClosedError, 'DatabaseClosedError', 'DATABASE_CLOSED'],
    [new StorageQuotaError(context), isStorageQuotaError, 'StorageQuotaError', 'STORAGE_QUOTA_EXCEEDED'],
    [
      new TransactionAbortedError(context),
      isTransactionAbortedError,
      'TransactionAbortedError',
      'TRANSACTION_ABORTED',
    ],
    [new InvalidDataError(context), isInvalidDataError, 'InvalidDataError', 'INVALID_DATA'],
    [new IndexedDBError(context, 'UnknownError'), isIndexedDBError, 'IndexedDBError', 'INDEXEDDB_ERROR'],
  ];

  it.each(kinds)('%s has a stable name, code and guard', (error, guard, name, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(isSyncError(error)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(guard(new Error(error.message))).toBe(false);
    // Guards do not confuse kinds with each other.
    const others = kinds.filter(([other]) => other.code !== code);
    expect(others.some(([other]) => guard(other))).toBe(false);
  });

  it('names the failed version and migration, and keeps the migration error as cause', () => {
    const error = new UpgradeFailedError('app', 1, 3, 2, 'work_orders', cause);
    expect(error.message).toBe(
      'Upgrade of database "app" from version 1 to 3 failed at version 2 in the migration of store "work_orders"; the database was left at its old version',
    );
    expect(error.cause).toBe(cause);
    expect(error.failedVersion).toBe(2);
    expect(error.migration).toBe('work_orders');
  });
});
