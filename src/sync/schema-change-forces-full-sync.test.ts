import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  testStores,
} from '../../test/sync/sync-fixture.js';
import { openTestDatabase, testVersion, uniqueDbName } from '../../test/sync/test-database.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
  await fx.seed('service_types', 30, { prefix: 's' });
  await fx.seed('parts', 30, { prefix: 'p' });
});
afterAll(() => fx?.close());

const v1 = testVersion(1, testStores);

describe('schema changes', () => {
  it('forces a full sync of exactly the lookup stores an upgrade in another tab changed', async () => {
    const token = await fx.user('schema');
    await fx.seed('work_orders', 5, { owner: 'schema', prefix: 'w' });
    const dbName = uniqueDbName('schema');
    const oldTab = fx.app(token, { dbName });
    await oldTab.client.sync();
    await oldTab.client.close();

    // Another tab with newer code upgrades the database: `parts` gets an index. Its report lands in `_meta`.
    const v2 = testVersion(2, testStores, { parts: ['name'] });
    const upgrader = openTestDatabase(dbName, testStores, [v1, v2]);
    expect((await upgrader.upgradeReports()).at(-1)).toMatchObject({
      toVersion: 2,
      changedStores: ['parts'],
    });
    await upgrader.close();

    // A tab that did not run the upgrade syncs.
    const newTab = fx.app(token, { dbName, versions: [v1, v2] });
    await fx.server.admin.putRecord('service_types', 's001', { name: 'changed' });
    const summary = await newTab.client.sync();
    expect(summary.plans.map((p) => [p.collection, p.mode, p.reasons])).toEqual([
      ['service_types', 'incremental', ['checkpoint']],
      ['parts', 'full', ['schema-changed']],
      ['work_orders', 'incremental', ['checkpoint']],
      ['customers', 'incremental', ['checkpoint']],
    ]);
    expect(summary.collections.find((c) => c.collection === 'parts')).toMatchObject({ fetch: 30, pages: 2 });
    expect(summary.collections.find((c) => c.collection === 'service_types')).toMatchObject({
      fetch: 1,
      change: 1,
    });
    expect(await localState(newTab.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));

    // Once refetched under the new version, the store is back to incremental pulls.
    const next = await newTab.client.sync();
    expect(next.plans.find((p) => p.collection === 'parts')).toMatchObject({ mode: 'incremental' });
  });

  it('red-syncs a transactional store whose schema changed, after pushing its pending writes', async () => {
    const token = await fx.user('schema-red');
    await fx.seed('work_orders', 5, { owner: 'schema-red', prefix: 'w' });
    const dbName = uniqueDbName('schema-red');
    const before = fx.app(token, { dbName });
    await before.client.sync();
    await before.db.put('work_orders', { id: 'w002', title: 'edited before the upgrade' });
    await before.client.close();
    await before.db.close();

    const v2 = testVersion(2, testStores, { work_orders: ['title'] });
    const after = fx.app(token, { dbName, versions: [v1, v2] });
    const summary = await after.client.sync();
    expect(summary.push.applied).toBe(1);
    expect(summary.plans.find((p) => p.collection === 'work_orders')).toMatchObject({
      mode: 'red',
      reasons: ['schema-changed'],
      restart: true,
    });
    expect(await localState(after.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', 'schema-red'),
    );
    expect((await after.db.get('work_orders', 'w002')) as object).toMatchObject({
      title: 'edited before the upgrade',
    });
  });
});
