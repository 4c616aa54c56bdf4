// Synced stores declared `keyType: 'number'` keep numeric keys end to end: the wire id stays a
// string, pulled ids are decoded to numbers and pushed keys encoded back. No key is ever coerced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  testStores,
} from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { CollectionOptions } from './sync-options.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

const numberStores = {
  ...testStores,
  parts: { kind: 'lookup', keyType: 'number' },
  customers: { kind: 'transactional', keyType: 'number' },
} as const;

function numberApp(
  token: string,
  options: { dbName?: string; collections?: Record<string, CollectionOptions> } = {},
) {
  return fx.app(token, {
    stores: numberStores,
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
    client: { collections: options.collections ?? { parts: {}, customers: {} } },
  });
}

/** The server's records with their ids as numbers, as a number store holds them. */
async function serverNumbers(collection: string, owner?: string): Promise<Record<string, unknown>> {
  const state = await serverState(fx.server, collection, owner);
  return Object.fromEntries(
    Object.entries(state).map(([id, value]) => [id, { ...(value as object), id: Number(id) }]),
  );
}

async function seedParts(ids: readonly number[]): Promise<void> {
  for (const id of ids) await fx.server.admin.putRecord('parts', String(id), { name: `part ${id}` });
}

describe('number keys', () => {
  it('pulls numeric ids as numbers, so get(3042030) finds the record sent as "3042030"', async () => {
    await seedParts([3042030, 7]);
    const app = numberApp(await fx.user('pull-numbers'), { collections: { parts: {} } });
    await app.client.sync();

    expect(await app.db.get('parts', 3042030)).toMatchObject({ id: 3042030, name: 'part 3042030' });
    expect(await app.db.get('parts', '3042030')).toBeUndefined();
    await fx.server.admin.putRecord('parts', '7', { name: 'renamed' });
    await fx.server.admin.deleteRecord('parts', '3042030');
    const incremental = await app.client.sync();
    expect(incremental.collections[0]).toMatchObject({ mode: 'incremental', change: 1, delete: 1 });
    expect(await app.db.get('parts', 7)).toMatchObject({ id: 7, name: 'renamed' });
    expect(await app.db.get('parts', 3042030)).toBeUndefined();
    for (const id of ['3042030', '7']) await fx.server.admin.deleteRecord('parts', id);
  });

  it('replaces each full-sync page by its id range although numbers sort otherwise (2 < 10 < 100, "10" < "100" < "2")', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    await seedParts(ids);
    const app = numberApp(await fx.user('full-numbers'), { collections: { parts: {} } });
    await app.client.sync();
    expect(await app.db.count('parts')).toBe(120);

    // The server deletes records inside and outside the first page's id range ("1" … "117").
    for (const id of [105, 11, 2, 50]) await fx.server.admin.deleteRecord('parts', String(id));
    await fx.server.admin.putRecord('parts', '1000', { name: 'new in the first page range' });
    app.transport.pullBudget = 1;
    const interrupted = await app.client.sync({ full: ['parts'] });
    expect(interrupted.outcome).toBe('waiting');
    const midway = (await app.db.getAll('parts')) as { id: number }[];
    const have = new Set(midway.map((r) => r.id));
    // Inside the first page's range: deleted ones are gone, the new one is there.
    expect([105, 11].map((id) => have.has(id))).toEqual([false, false]);
    expect(have.has(1000)).toBe(true);
    // Beyond it (2 and 50 sort after "117" as strings): still the old data, readable.
    expect([2, 50, 3, 99].map((id) => have.has(id))).toEqual([true, true, true, true]);

    app.transport.pullBudget = undefined;
    const resumed = await app.client.sync();
    expect(resumed.plans[0]).toMatchObject({ mode: 'full', reasons: ['resume'] });
    expect(await localState(app.db, 'parts')).toEqual(await serverNumbers('parts'));
    expect(((await app.db.getAll('parts')) as { id: unknown }[]).every((r) => typeof r.id === 'number')).toBe(
      true,
    );
    for (const id of [...ids, 1000]) await fx.server.admin.deleteRecord('parts', String(id));
  });

  it('pushes numeric keys as their decimal ids, and another device pulls them back as numbers', async () => {
    const token = await fx.user('push-numbers');
    const app = numberApp(token, { collections: { customers: {} } });
    await app.client.sync();
    await app.db.put('customers', { id: 42, name: 'Acme' });
    await app.db.bulkPut('customers', [
      { id: 7, name: 'Globex' },
      { id: 1.5, name: 'Half' },
    ]);
    const pushed = await app.client.sync();
    expect(pushed.push).toMatchObject({ sent: 3, applied: 3 });
    expect(Object.keys(await serverState(fx.server, 'customers', 'push-numbers')).sort()).toEqual([
      '1.5',
      '42',
      '7',
    ]);
    await app.db.delete('customers', 7);
    await app.client.sync();

    const other = numberApp(token, { collections: { customers: {} } });
    await other.client.sync();
    expect(await other.db.get('customers', 42)).toMatchObject({ id: 42, name: 'Acme' });
    expect(await localState(other.db, 'customers')).toEqual(await serverNumbers('customers', 'push-numbers'));
    expect(await other.db.get('customers', 7)).toBeUndefined();
  });

  it('resolves and logs a conflict on a numeric key under that key', async () => {
    const token = await fx.user('conflict-numbers');
    await fx.server.admin.putRecord('customers', '42', { name: 'base' }, 'conflict-numbers');
    const app = numberApp(token, { collections: { customers: { conflicts: 'server-wins' } } });
    await app.client.sync();
    await app.db.put('customers', { id: 42, name: 'mine' });
    await fx.server.admin.putRecord('customers', '42', { name: 'theirs' }, 'conflict-numbers');

    const summary = await app.client.sync();

    expect(summary.push.conflicts).toBe(1);
    const [entry] = await app.client.conflictLog();
    expect(entry).toMatchObject({ store: 'customers', id: 42, rule: 'server-wins' });
    expect(await app.db.get('customers', 42)).toMatchObject({ id: 42, name: 'theirs' });
    expect(await app.db.get('customers', '42')).toBeUndefined();
  });

  it('red-syncs a number store: numeric keys refetched, a pending write kept under its key', async () => {
    const token = await fx.user('red-numbers');
    for (const id of [1, 2, 10, 100]) {
      await fx.server.admin.putRecord('customers', String(id), { name: `c${id}` }, 'red-numbers');
    }
    const app = numberApp(token, { collections: { customers: {} } });
    await app.client.sync();
    app.transport.offline = true;
    await app.db.put('customers', { id: 10, name: 'edited offline' });
    await app.client.sync({ red: ['customers'] });
    app.transport.offline = false;

    const red = await app.client.sync();

    expect(red.plans[0]).toMatchObject({ mode: 'red' });
    expect(await localState(app.db, 'customers')).toEqual(await serverNumbers('customers', 'red-numbers'));
    expect(await app.db.get('customers', 10)).toMatchObject({ name: 'edited offline' });
  });

  it('refuses a local key of the wrong type, and skips a server id that is not a number', async () => {
    const app = numberApp(await fx.user('bad-numbers'), { dbName: uniqueDbName('bad-numbers') });
    for (const id of ['42', Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(app.db.put('customers', { id, name: 'x' })).rejects.toSatisfy((e) =>
        isIdbSyncError(e, 'INVALID_KEY'),
      );
    }
    await fx.server.admin.putRecord('parts', 'not-a-number', { name: 'x' });
    const summary = await app.client.sync();
    expect(summary.outcome).toBe('ok');
    expect(summary.collections.find((c) => c.collection === 'parts')).toMatchObject({ skipped: 1 });
    expect(await app.db.get('parts', 'not-a-number' as never)).toBeUndefined();
    expect(await app.client.skippedRecords('parts')).toEqual([
      expect.objectContaining({ id: 'not-a-number', reason: 'invalid-key' }),
    ]);
    await fx.server.admin.deleteRecord('parts', 'not-a-number');
    await app.client.sync();
    expect(await app.client.skippedRecords()).toEqual([]);
  });
});
