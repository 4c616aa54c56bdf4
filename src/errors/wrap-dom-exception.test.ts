import { describe, expect, it } from 'vitest';
import { ConstraintViolationError } from './constraint-violation-error.js';
import { DatabaseClosedError } from './database-closed-error.js';
import { DatabaseVersionError } from './database-version-error.js';
import { DeleteBlockedError } from './delete-blocked-error.js';
import type { IdbSyncErrorCode } from './error-map.js';
import { type IdbSyncError, isIdbSyncError } from './idb-sync-error.js';
import { IndexedDBError } from './indexeddb-error.js';
import { IndexedDBUnavailableError } from './indexeddb-unavailable-error.js';
import { InvalidDataError } from './invalid-data-error.js';
import { OpenTimeoutError } from './open-timeout-error.js';
import { SchemaDefinitionError } from './schema-definition-error.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import { StorageQuotaError } from './storage-quota-error.js';
import { TransactionAbortedError } from './transaction-aborted-error.js';
import { TransactionCallbackError } from './transaction-callback-error.js';
import { UpgradeFailedError } from './upgrade-failed-error.js';
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
    expect(isIdbSyncError(error, 'CONSTRAINT_VIOLATION')).toBe(true);
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
  const kinds: [IdbSyncError, string, IdbSyncErrorCode][] = [
    [new UpgradeFailedError('app', 1, 3, 2, 'work_orders', cause), 'UpgradeFailedError', 'UPGRADE_FAILED'],
    [new IndexedDBUnavailableError('app', 'missing'), 'IndexedDBUnavailableError', 'INDEXEDDB_UNAVAILABLE'],
    [new DatabaseVersionError('app', 2, 3), 'DatabaseVersionError', 'DATABASE_VERSION_TOO_OLD'],
    [new SchemaDefinitionError('app', 'bad'), 'SchemaDefinitionError', 'INVALID_SCHEMA'],
    [new SchemaMismatchError('app', 2, ['a.byX']), 'SchemaMismatchError', 'SCHEMA_MISMATCH'],
    [new DeleteBlockedError('app', 10), 'DeleteBlockedError', 'DELETE_BLOCKED'],
    [new OpenTimeoutError('app', 10), 'OpenTimeoutError', 'OPEN_TIMEOUT'],
    [
      new TransactionCallbackError('app', ['a'], 'write', cause),
      'TransactionCallbackError',
      'TRANSACTION_CALLBACK_FAILED',
    ],
    [new DatabaseClosedError(context), 'DatabaseClosedError', 'DATABASE_CLOSED'],
    [new StorageQuotaError(context), 'StorageQuotaError', 'STORAGE_QUOTA_EXCEEDED'],
    [new TransactionAbortedError(context), 'TransactionAbortedError', 'TRANSACTION_ABORTED'],
    [new InvalidDataError(context), 'InvalidDataError', 'INVALID_DATA'],
    [new IndexedDBError(context, 'UnknownError'), 'IndexedDBError', 'INDEXEDDB_ERROR'],
  ];

  it.each(kinds)('%s has a stable name and code, and is recognised by its code', (error, name, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(isIdbSyncError(error)).toBe(true);
    expect(isIdbSyncError(error, code)).toBe(true);
    expect(isIdbSyncError(new Error(error.message), code)).toBe(false);
    // The guard does not confuse kinds with each other.
    const others = kinds.filter(([other]) => other.code !== code);
    expect(others.some(([other]) => isIdbSyncError(other, code))).toBe(false);
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
