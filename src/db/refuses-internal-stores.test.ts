// The SDK's internal `_` stores (`_outbox`, `_meta`, `_checkpoints`, `_sync`, `_conflicts`,
// `_skipped`) are written by the SDK only: every write API of the handle refuses them with a typed
// error before a transaction starts, and nothing is written; reading them stays possible.
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { systemStores } from '../upversion/system-stores.js';
import { type DatabaseHandle, defineDatabase } from './define-database.js';

const versions = [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }] as const;

let db: DatabaseHandle | undefined;
afterEach(async () => {
  await db?.deleteDatabase();
  db = undefined;
});

/** The rejection of `attempt`, checked to be the typed refusal of `operation` on `store`. */
async function refused(attempt: Promise<unknown>, store: string, operation: string) {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isIdbSyncError(error, 'WRITE_REFUSED')).toBe(true);
  if (!isIdbSyncError(error, 'WRITE_REFUSED')) return;
  expect(error).toMatchObject({ store, operation, reason: 'internal-store' });
  expect(error.use).toContain('read()');
  expect(error.message).toContain(`"${store}"`);
}

describe('internal stores', () => {
  it('every write API refuses each internal store with WRITE_REFUSED and writes nothing', async () => {
    const handle = defineDatabase({ name: uniqueName('internal-stores'), versions });
    db = handle;
    await handle.open();
    const outboxBefore = await handle.count('_outbox');
    const syncBefore = await handle.getAll('_sync');
    for (const store of Object.keys(systemStores)) {
      await refused(handle.put(store, { key: 'x', mutationId: 1, collection: 'c', seq: 1 }), store, 'put()');
      await refused(handle.delete(store, 'x'), store, 'delete()');
      await refused(handle.bulkPut(store, [{ key: 'x' }]), store, 'bulkPut()');
      await refused(handle.bulkDelete(store, ['x']), store, 'bulkDelete()');
      let ran = false;
      await refused(
        handle.write(['work_orders', store], () => {
          ran = true;
        }),
        store,
        'write()',
      );
      expect(ran).toBe(false);
    }
    expect(await handle.count('_outbox')).toBe(outboxBefore);
    expect(await handle.getAll('_sync')).toEqual(syncBefore);
    // App stores are written as before, and reading an internal store works.
    await handle.put('work_orders', { id: 'wo-1' });
    expect(await handle.count('_outbox')).toBe(outboxBefore + 1);
    expect(await handle.read(['_meta'], (tx) => tx.objectStore('_meta').count())).toBeGreaterThan(0);
  });
});
