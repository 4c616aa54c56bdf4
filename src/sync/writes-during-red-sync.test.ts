// Issue #14 item 4: a write to a record that a red sync has cleared and not yet refetched is queued
// (it waits for the record's revision) and reaches the server; a delete used to be a silent no-op
// and the record came back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

/** 50 work orders, pulled; then a red sync that stops after its first page (20 records). */
async function clearedByRedSync(owner: string) {
  const token = await fx.user(owner);
  await fx.seed('work_orders', 50, { owner, prefix: 'w', value: (i) => ({ title: `order ${i}` }) });
  const app = fx.app(token, { client: { collections: { work_orders: {} } } });
  await app.client.sync();
  app.transport.pullBudget = 1;
  const interrupted = await app.client.sync({ red: ['work_orders'] });
  expect(interrupted.outcome).toBe('waiting');
  expect(await app.db.count('work_orders')).toBe(20);
  app.transport.pullBudget = undefined;
  return app;
}

async function outbox(db: { idb(): Promise<{ getAll(store: string): Promise<unknown[]> }> }) {
  return (await (await db.idb()).getAll('_outbox')) as Record<string, unknown>[];
}

describe('writes while a red sync has cleared the store', () => {
  it('queues a delete of a record not refetched yet and deletes it on the server (it never comes back)', async () => {
    const app = await clearedByRedSync('red-delete');
    expect(await app.db.get('work_orders', 'w030')).toBeUndefined();

    await app.db.delete('work_orders', 'w030');
    expect(await outbox(app.db)).toMatchObject([
      { store: 'work_orders', id: 'w030', op: 'delete', baseRev: null, awaitsRev: true },
    ]);

    const resumed = await app.client.sync();

    expect(resumed.plans[0]).toMatchObject({ mode: 'red', reasons: ['resume'] });
    expect(resumed.push).toMatchObject({ sent: 1, applied: 1, conflicts: 0 });
    expect(await app.db.get('work_orders', 'w030')).toBeUndefined();
    const server = await serverState(fx.server, 'work_orders', 'red-delete');
    expect(server['w030']).toBeUndefined();
    expect(Object.keys(server)).toHaveLength(49);
    expect(await localState(app.db, 'work_orders')).toEqual(server);
    expect(await app.client.pendingWrites()).toBe(0);
  });

  it('pushes an edit of a record not refetched yet on top of the revision the pull brings (no conflict)', async () => {
    const app = await clearedByRedSync('red-edit');
    await app.db.put('work_orders', { id: 'w031', title: 'edited while cleared' });

    const resumed = await app.client.sync();

    expect(resumed.push).toMatchObject({ sent: 1, applied: 1, conflicts: 0 });
    expect(await app.client.conflictLog()).toEqual([]);
    expect((await serverState(fx.server, 'work_orders', 'red-edit'))['w031']).toEqual({
      id: 'w031',
      title: 'edited while cleared',
    });
    expect(await app.db.get('work_orders', 'w031')).toMatchObject({ title: 'edited while cleared' });
  });

  it('drops a queued delete of a record the server does not have, and creates a queued put', async () => {
    const app = await clearedByRedSync('red-absent');
    await app.db.delete('work_orders', 'x-never-existed');
    await app.db.put('work_orders', { id: 'x-new', title: 'created while cleared' });
    expect(await outbox(app.db)).toHaveLength(2);

    const resumed = await app.client.sync();

    expect(resumed.push).toMatchObject({ sent: 1, applied: 1 });
    expect(await app.client.pendingWrites()).toBe(0);
    const server = await serverState(fx.server, 'work_orders', 'red-absent');
    expect(server['x-new']).toEqual({ id: 'x-new', title: 'created while cleared' });
    expect(server['x-never-existed']).toBeUndefined();
    expect(await localState(app.db, 'work_orders')).toEqual(server);
  });

  it('a delete of a record already refetched by the red sync is an ordinary delete', async () => {
    const app = await clearedByRedSync('red-refetched');
    await app.db.delete('work_orders', 'w005');
    expect(await outbox(app.db)).toMatchObject([{ id: 'w005', op: 'delete', baseRev: expect.any(String) }]);
    await app.client.sync();
    expect((await serverState(fx.server, 'work_orders', 'red-refetched'))['w005']).toBeUndefined();
  });
});
