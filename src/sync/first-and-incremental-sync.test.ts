import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localState, type SyncFixture, serverState, startSyncFixture } from '../../test/sync/sync-fixture.js';
import type { StoreChange } from '../db/database-changes.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

describe('first and incremental sync against the reference server', () => {
  it('fully syncs every collection on the first run, page by page, and reports why', async () => {
    const token = await fx.user('first');
    await fx.seed('service_types', 45, { prefix: 'st' });
    await fx.seed('work_orders', 30, { owner: 'first', prefix: 'wo' });
    const { db, client } = fx.app(token);

    const summary = await client.sync();

    expect(summary.outcome).toBe('ok');
    expect(summary.plans.map((p) => [p.collection, p.mode, p.reasons])).toEqual([
      ['service_types', 'full', ['first-sync']],
      ['parts', 'full', ['first-sync']],
      ['work_orders', 'red', ['first-sync']],
      ['customers', 'red', ['first-sync']],
    ]);
    const st = summary.collections.find((c) => c.collection === 'service_types');
    expect(st).toMatchObject({ fetch: 45, change: 45, delete: 0, pages: 3 });
    expect(await localState(db, 'service_types')).toEqual(await serverState(fx.server, 'service_types'));
    expect(await localState(db, 'work_orders')).toEqual(await serverState(fx.server, 'work_orders', 'first'));
    expect(summary.timings.total).toBeGreaterThan(0);
    expect(summary.timings.network + summary.timings.indexedDb + summary.timings.other).toBeCloseTo(
      summary.timings.total,
      0,
    );
  });

  it('pulls only what changed since the checkpoint, with CHANGE and DELETE counts and remote change events', async () => {
    const token = await fx.user('incr');
    await fx.seed('customers', 12, { owner: 'incr', prefix: 'cu' });
    const { db, client } = fx.app(token);
    await client.sync();

    await fx.server.admin.putRecord('customers', 'cu003', { name: 'renamed' }, 'incr');
    await fx.server.admin.deleteRecord('customers', 'cu007', 'incr');
    await fx.server.admin.putRecord('customers', 'cu100', { name: 'new' }, 'incr');
    const events: StoreChange[] = [];
    const sub = db.changes$.subscribe((c) => events.push(c));
    const summary = await client.sync();
    sub.unsubscribe();

    const customers = summary.collections.find((c) => c.collection === 'customers');
    expect(customers).toMatchObject({
      mode: 'incremental',
      reasons: ['checkpoint'],
      fetch: 3,
      change: 2,
      delete: 1,
    });
    // In the order the page writes them: its deletes first (they may free unique values), then its puts.
    expect(events.map((e) => [e.store, e.type, e.key, e.origin])).toEqual([
      ['customers', 'delete', 'cu007', 'remote'],
      ['customers', 'put', 'cu003', 'remote'],
      ['customers', 'put', 'cu100', 'remote'],
    ]);
    expect(await localState(db, 'customers')).toEqual(await serverState(fx.server, 'customers', 'incr'));
  });

  it('pushes local writes and does not echo them back as remote changes on the next pull', async () => {
    const token = await fx.user('pusher');
    const { db, client } = fx.app(token);
    await client.sync();
    const events: StoreChange[] = [];
    const sub = db.changes$.subscribe((c) => events.push(c));

    await db.put('work_orders', { id: 'w1', title: 'fix pump' });
    await db.put('work_orders', { id: 'w2', title: 'paint' });
    await db.delete('work_orders', 'w2');
    expect(await client.pendingWrites()).toBe(1);
    const pushed = await client.sync();
    const again = await client.sync();
    sub.unsubscribe();

    expect(pushed.push).toEqual({ sent: 1, applied: 1, conflicts: 0, rejected: 0 });
    expect(await client.pendingWrites()).toBe(0);
    expect(await serverState(fx.server, 'work_orders', 'pusher')).toEqual({
      w1: { id: 'w1', title: 'fix pump' },
    });
    expect((await db.get('work_orders', 'w1'))?._rev).toEqual(expect.any(String));
    const wo = [...pushed.collections, ...again.collections].filter((c) => c.collection === 'work_orders');
    expect(wo.reduce((n, c) => n + c.change, 0)).toBe(0);
    expect(events.map((e) => [e.type, e.key, e.origin])).toEqual([
      ['put', 'w1', 'local'],
      ['put', 'w2', 'local'],
      ['delete', 'w2', 'local'],
    ]);
  });
});
