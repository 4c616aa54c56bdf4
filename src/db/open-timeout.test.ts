import { describe, expect, it } from 'vitest';
import { uniqueName, within } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { VersionSpec } from '../upversion/schema-types.js';
import { defineDatabase } from './define-database.js';

const versions = [
  { version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } },
] as const satisfies readonly VersionSpec[];

/** A factory whose opens never answer (no success, error, blocked or upgradeneeded event). */
function silentFactory(): { factory: IDBFactory; opens: number } {
  const counter = { opens: 0 };
  const factory = {
    open: () => {
      counter.opens += 1;
      return new EventTarget() as IDBOpenDBRequest;
    },
    deleteDatabase: (name: string) => indexedDB.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => indexedDB.cmp(a, b),
  } as unknown as IDBFactory;
  return {
    factory,
    get opens() {
      return counter.opens;
    },
  };
}

describe('an open that never answers', () => {
  it('rejects with OpenTimeoutError after openTimeoutMs, and a later operation waits on the same open', async () => {
    const silent = silentFactory();
    const db = defineDatabase({
      name: uniqueName('silent'),
      versions,
      indexedDB: silent.factory,
      openTimeoutMs: 100,
      safariOpenFix: false,
    });
    const started = Date.now();
    const error = await within(
      db.count('work_orders').catch((e: unknown) => e),
      5_000,
      'the timeout',
    );
    expect(isIdbSyncError(error, 'OPEN_TIMEOUT')).toBe(true);
    if (isIdbSyncError(error, 'OPEN_TIMEOUT')) expect(error.database).toBe(db.name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(db.state).toBe('opening');
    // The attempt goes on (a browser may still answer it): a second operation does not open again.
    await expect(db.count('work_orders')).rejects.toMatchObject({ code: 'OPEN_TIMEOUT' });
    expect(silent.opens).toBe(1);
  });
});
