import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  warmServerTemplate,
} from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

let fx: SyncFixture | undefined;
beforeAll(warmServerTemplate);
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const only = { collections: { work_orders: {}, parts: {} } };

describe('red sync', () => {
  it('pushes the outbox first, then clears and refetches the transactional store', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('red');
    await fx.seed('work_orders', 30, { owner: 'red', prefix: 'w' });
    const app = fx.app(token, { client: only });
    await app.client.sync();
    // Local state drifts: a pending write, plus a record the server no longer knows about.
    await app.db.put('work_orders', { id: 'w001', title: 'edited offline' });
    await app.db.put('work_orders', { id: 'local-new', title: 'created offline' });
    await fx.server.admin.deleteRecord('work_orders', 'w002', 'red');

    const summary = await app.client.sync({ red: ['work_orders'] });

    expect(summary.outcome).toBe('ok');
    expect(summary.push).toMatchObject({ sent: 2, applied: 2 });
    expect(summary.plans.find((p) => p.collection === 'work_orders')).toMatchObject({
      mode: 'red',
      reasons: ['requested'],
      restart: false,
    });
    const server = await serverState(fx.server, 'work_orders', 'red');
    expect(server['w001']).toEqual({ id: 'w001', title: 'edited offline' });
    expect(server['local-new']).toEqual({ id: 'local-new', title: 'created offline' });
    expect(await localState(app.db, 'work_orders')).toEqual(server);
    expect(await app.client.pendingWrites()).toBe(0);
  });

  it('waits without dropping anything while the server is down, then completes when it is back', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('offline');
    await fx.seed('work_orders', 10, { owner: 'offline', prefix: 'w' });
    const dbName = uniqueDbName('red-offline');
    const app = fx.app(token, { dbName, client: only });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'w003', title: 'unpushed edit' });
    await app.db.put('work_orders', { id: 'draft', title: 'unpushed create' });
    const before = await localState(app.db, 'work_orders');

    app.transport.offline = true;
    const waiting = await app.client.sync({ red: true });
    expect(waiting.outcome).toBe('waiting');
    expect(waiting.plans.find((p) => p.collection === 'work_orders')).toMatchObject({
      mode: 'waiting',
      reasons: ['requested', 'outbox-pending'],
    });
    expect(await localState(app.db, 'work_orders')).toEqual(before);
    expect(await app.client.pendingWrites()).toBe(2);

    // After a reload, back online: the persisted request runs, with the writes pushed first.
    await app.client.close();
    await app.db.close();
    const reloaded = fx.app(token, { dbName, client: only });
    const done = await reloaded.client.sync();
    expect(done.plans.find((p) => p.collection === 'work_orders')).toMatchObject({
      mode: 'red',
      reasons: ['requested'],
    });
    const server = await serverState(fx.server, 'work_orders', 'offline');
    expect(server['w003']).toEqual({ id: 'w003', title: 'unpushed edit' });
    expect(server['draft']).toEqual({ id: 'draft', title: 'unpushed create' });
    expect(await localState(reloaded.db, 'work_orders')).toEqual(server);
  });

  it('reports a stopped server as waiting for the network and keeps the outbox', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('stopped');
    const app = fx.app(token, { client: only });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'keep-me', title: 'x' });
    const statuses: string[] = [];
    app.client.status$.subscribe((s) => statuses.push(s));
    const errors: unknown[] = [];
    app.client.errors$.subscribe((e) => errors.push(e));

    await fx.server.close();
    const summary = await app.client.sync({ red: true });

    expect(summary.outcome).toBe('waiting');
    expect(summary.error?.code).toBe('NETWORK_ERROR');
    expect(errors.some((e) => isIdbSyncError(e, 'NETWORK_ERROR'))).toBe(true);
    expect(statuses.at(-1)).toBe('waiting-for-network');
    expect(await app.db.get('work_orders', 'keep-me')).toEqual({ id: 'keep-me', title: 'x' });
    expect(await app.client.pendingWrites()).toBe(1);
  });

  it('red-syncs a transactional store and fully syncs a lookup store when the server resets their checkpoints', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('reset');
    await fx.seed('work_orders', 12, { owner: 'reset', prefix: 'w' });
    await fx.seed('parts', 12, { prefix: 'p' });
    const app = fx.app(token, { client: only });
    await app.client.sync();
    await fx.server.admin.deleteRecord('work_orders', 'w004', 'reset');
    await fx.server.admin.deleteRecord('parts', 'p004');
    await fx.server.admin.putRecord('parts', 'p005', { name: 'changed' });
    // Tombstones are compacted away: the client's checkpoints are now behind the server's horizon.
    expect(await fx.server.admin.compactTombstones({ olderThanMs: -1 })).toBe(2);

    const summary = await app.client.sync();

    expect(summary.outcome).toBe('ok');
    expect(summary.plans.map((p) => [p.collection, p.mode, p.reasons, p.restart])).toEqual([
      ['work_orders', 'red', ['server-reset'], true],
      ['parts', 'full', ['server-reset'], true],
    ]);
    expect(await localState(app.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', 'reset'),
    );
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
  });
});
