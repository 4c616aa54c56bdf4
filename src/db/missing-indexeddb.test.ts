import { afterEach, describe, expect, it, vi } from 'vitest';
import { uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const versions = [
  { version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } },
] as const satisfies readonly VersionSpec[];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('IndexedDB unavailable', () => {
  it('rejects every operation with IndexedDBUnavailableError (missing) when there is no indexedDB', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const db = defineDatabase({ name: uniqueName('missing'), versions });
    const error = await db.count('work_orders').catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'INDEXEDDB_UNAVAILABLE')).toBe(true);
    expect(error).toMatchObject({ reason: 'missing', database: db.name });
    expect(db.state).toBe('error');
    await expect(db.deleteDatabase()).rejects.toMatchObject({ code: 'INDEXEDDB_UNAVAILABLE' });
  });

  it('reports access-denied when reading indexedDB throws (storage blocked, sandboxed iframe)', async () => {
    const denied = new DOMException('The operation is insecure.', 'SecurityError');
    const original = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', {
      configurable: true,
      get() {
        throw denied;
      },
    });
    try {
      const db = defineDatabase({ name: uniqueName('denied'), versions });
      const error = await db.open().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INDEXEDDB_UNAVAILABLE', reason: 'access-denied', cause: denied });
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', original);
    }
  });

  it('reports open-failed when open() throws or fails like private browsing', async () => {
    const securityError = new DOMException('denied', 'SecurityError');
    const throwing = {
      open: () => {
        throw securityError;
      },
    } as unknown as IDBFactory;
    const first = defineDatabase({ name: uniqueName('throws'), versions, indexedDB: throwing });
    await expect(first.open()).rejects.toMatchObject({
      code: 'INDEXEDDB_UNAVAILABLE',
      reason: 'open-failed',
      cause: securityError,
    });

    // Firefox private browsing (before 115): the request fails with InvalidStateError.
    const failing = {
      open() {
        const error = new DOMException(
          'A mutation operation was attempted on a database that did not allow mutations.',
          'InvalidStateError',
        );
        const request = { error, onerror: null as ((event: { preventDefault(): void }) => void) | null };
        queueMicrotask(() => request.onerror?.({ preventDefault() {} }));
        return request;
      },
    } as unknown as IDBFactory;
    const second = defineDatabase({ name: uniqueName('private'), versions, indexedDB: failing });
    const error = await within(second.open(), 2_000, 'the failing open').catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'INDEXEDDB_UNAVAILABLE')).toBe(true);
    expect(error).toMatchObject({ reason: 'open-failed' });
  });
});
