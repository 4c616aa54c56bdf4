import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIdbSyncError } from '../../src/errors/idb-sync-error.js';

import { localState, type SyncFixture, serverState, startSyncFixture } from '../sync/sync-fixture.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

/**
 * Simulates a full disk: after `allowed` more `put`s into `store`, every put throws a
 * QuotaExceededError DOMException, as the browser refuses a write once the origin's quota is
 * exhausted (the transaction then aborts). Patched on the backend's IDBObjectStore prototype, so it
 * works on fake-indexeddb and indexeddbshim alike; `restore()` frees the space.
 */
async function fillDiskAfter(db: { idb(): Promise<unknown> }, store: string, allowed: number) {
  const connection = (await db.idb()) as { transaction(s: string): { objectStore(s: string): object } };
  const proto = Object.getPrototypeOf(connection.transaction(store).objectStore(store)) as {
    put: (this: { name: string }, ...args: unknown[]) => unknown;
  };
  const original = proto.put;
  let left = allowed;
  let refused = 0;
  proto.put = function put(this: { name: string }, ...args: unknown[]) {
    if (this.name === store) {
      if (left <= 0) {
        refused += 1;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      left -= 1;
    }
    return original.apply(this, args);
  };
  return {
    refused: () => refused,
    restore: () => {
      proto.put = original;
    },
  };
}

async function checkpointOf(db: { idb(): Promise<unknown> }, collection: string): Promise<unknown> {
  const connection = (await db.idb()) as { get(store: string, key: string): Promise<unknown> };
  return connection.get('_checkpoints', collection);
}

/** Syncs 10 parts, edits 5 on the server, and syncs them while the disk fills after 2 puts. */
async function syncIntoFullDisk(owner: string, prefix: string) {
  const token = await fx.user(owner);
  await fx.seed('parts', 10, { prefix });
  const app = fx.app(token, { client: { collections: { parts: {} }, windowSize: 5 } });
  expect((await app.client.sync()).outcome).toBe('ok');
  const checkpointBefore = await checkpointOf(app.db, 'parts');
  const before = await localState(app.db, 'parts');

  // A page of 5 changed records; the disk fills up after 2 of them.
  for (let i = 0; i < 5; i += 1)
    await fx.server.admin.putRecord('parts', `${prefix}00${i}`, { name: `edited ${i}` });
  const errors: unknown[] = [];
  app.client.errors$.subscribe((e) => errors.push(e));
  const disk = await fillDiskAfter(app.db, 'parts', 2);
  let failed: Awaited<ReturnType<typeof app.client.sync>>;
  try {
    failed = await app.client.sync();
  } finally {
    disk.restore();
  }

  expect(disk.refused()).toBeGreaterThan(0);
  return { app, failed, errors, before, checkpointBefore };
}

describe('storage quota exhausted in the middle of a page', () => {
  it('writes nothing of the page, keeps the checkpoint, and resumes once space is freed', async () => {
    const { app, failed, before, checkpointBefore } = await syncIntoFullDisk('quota', 'q');
    expect(failed.outcome).toBe('error');
    expect(await localState(app.db, 'parts')).toEqual(before);
    expect(await checkpointOf(app.db, 'parts')).toEqual(checkpointBefore);

    const resumed = await app.client.sync();
    expect(resumed.outcome).toBe('ok');
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
  });

  // Regression: sync transactions used to reject with the raw DOMException instead of StorageQuotaError.
  it('reports a full disk as StorageQuotaError (STORAGE_QUOTA_EXCEEDED) on errors$ and in the summary', async () => {
    const { failed, errors } = await syncIntoFullDisk('quota-typed', 't');
    expect(
      errors.some((e) => isIdbSyncError(e, 'STORAGE_QUOTA_EXCEEDED')),
      `errors: ${errors.map((e) => (e as Error).name)}`,
    ).toBe(true);
    expect(failed.error?.code).toBe('STORAGE_QUOTA_EXCEEDED');
  });
});
