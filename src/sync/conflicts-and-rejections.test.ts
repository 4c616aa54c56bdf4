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

import type { Conflict, ConflictStrategy } from './conflict-strategy.js';
import type { ConflictLogEntry } from './internal-stores.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
});
afterAll(() => fx?.close());

let users = 0;

/**
 * A synced app whose user edits work order `w1` locally while the server changes it too; returns
 * the app after the conflicting sync.
 */
async function conflictWith(
  strategy: ConflictStrategy,
  local: Record<string, unknown>,
  remote: Record<string, unknown>,
  base: Record<string, unknown> = { title: 'base', status: 'open', qty: 1 },
) {
  users += 1;
  const owner = `c${users}`;
  const token = await fx.user(owner);
  await fx.server.admin.putRecord('work_orders', 'w1', base, owner);
  const dbName = uniqueDbName('conflict');
  const app = fx.app(token, { dbName, client: { collections: { work_orders: { conflicts: strategy } } } });
  await app.client.sync();
  await app.db.put('work_orders', { id: 'w1', ...local });
  await fx.server.admin.putRecord('work_orders', 'w1', remote, owner);
  const logged: ConflictLogEntry[] = [];
  app.client.conflicts$.subscribe((c) => logged.push(c));
  const errors: unknown[] = [];
  app.client.errors$.subscribe((e) => errors.push(e));
  const summary = await app.client.sync();
  return { ...app, owner, dbName, token, summary, logged, errors };
}

describe('push conflicts, resolved by each strategy and logged', () => {
  it('server-wins takes the server value and logs local, remote, base, result and rule', async () => {
    const r = await conflictWith(
      'server-wins',
      { title: 'mine', status: 'open', qty: 1 },
      { title: 'theirs', status: 'open', qty: 1 },
    );
    expect(r.summary.push.conflicts).toBe(1);
    expect(await r.db.get('work_orders', 'w1')).toMatchObject({ id: 'w1', title: 'theirs' });
    expect(await r.client.pendingWrites()).toBe(0);
    expect(r.logged).toEqual([
      expect.objectContaining({
        store: 'work_orders',
        id: 'w1',
        local: { id: 'w1', title: 'mine', status: 'open', qty: 1 },
        remote: { id: 'w1', title: 'theirs', status: 'open', qty: 1 },
        base: { id: 'w1', title: 'base', status: 'open', qty: 1 },
        result: { id: 'w1', title: 'theirs', status: 'open', qty: 1 },
        rule: 'server-wins',
        winner: 'server',
      }),
    ]);
    expect(await r.client.conflictLog()).toEqual(r.logged);
  });

  it('client-wins keeps the local value and pushes it over the server revision', async () => {
    const r = await conflictWith(
      'client-wins',
      { title: 'mine', status: 'open', qty: 1 },
      { title: 'theirs', status: 'open', qty: 1 },
    );
    expect(r.logged[0]).toMatchObject({ rule: 'client-wins', winner: 'client' });
    expect((await serverState(fx.server, 'work_orders', r.owner))['w1']).toEqual({
      id: 'w1',
      title: 'mine',
      status: 'open',
      qty: 1,
    });
    expect(await r.db.get('work_orders', 'w1')).toMatchObject({ title: 'mine' });
    expect(await r.client.pendingWrites()).toBe(0);
  });

  it('last-write-wins keeps the side with the newer timestamp field', async () => {
    const r = await conflictWith(
      { kind: 'last-write-wins', field: 'updatedAt' },
      { title: 'mine', updatedAt: '2026-05-02T10:00:00Z' },
      { title: 'theirs', updatedAt: '2026-05-01T10:00:00Z' },
    );
    expect(r.logged[0]).toMatchObject({ rule: 'last-write-wins:client-newer' });
    expect((await serverState(fx.server, 'work_orders', r.owner))['w1']).toMatchObject({ title: 'mine' });
  });

  it('merge combines fields changed on each side and lets the tie rule pick fields changed on both', async () => {
    const r = await conflictWith(
      { kind: 'merge', tie: 'client' },
      { title: 'mine', status: 'open', qty: 5 },
      { title: 'theirs', status: 'closed', qty: 1 },
    );
    const merged = { id: 'w1', title: 'mine', status: 'closed', qty: 5 };
    expect(r.logged[0]).toMatchObject({
      rule: 'merge:tie-client',
      winner: 'merged',
      conflictingFields: ['title'],
      result: merged,
    });
    expect((await serverState(fx.server, 'work_orders', r.owner))['w1']).toEqual(merged);
    expect(await r.db.get('work_orders', 'w1')).toMatchObject(merged);
  });

  it('awaits a custom resolver', async () => {
    const sumQty = async (c: Conflict) => {
      const local = c.local as { qty: number };
      const remote = c.remote as { qty: number };
      return { ...remote, qty: local.qty + remote.qty };
    };
    const r = await conflictWith({ kind: 'custom', name: 'sumQty', resolve: sumQty }, { qty: 2 }, { qty: 3 });
    expect(r.logged[0]).toMatchObject({ rule: 'custom:sumQty', winner: 'custom' });
    expect((await serverState(fx.server, 'work_orders', r.owner))['w1']).toEqual({ id: 'w1', qty: 5 });
  });

  it('reports a failing resolver by name, keeps the write, and resolves it on a later run', async () => {
    const broken = {
      kind: 'custom',
      name: 'brokenResolver',
      resolve: () => Promise.reject(new Error('bug')),
    } as const;
    const r = await conflictWith(broken, { title: 'mine' }, { title: 'theirs' });
    const error = r.errors.find((e) => isIdbSyncError(e, 'CONFLICT_RESOLVER_FAILED'));
    expect(error).toMatchObject({ resolver: 'brokenResolver', store: 'work_orders' });
    expect(await r.client.pendingWrites()).toBe(1);
    expect(await r.db.get('work_orders', 'w1')).toMatchObject({ title: 'mine' });
    await r.client.close();
    await r.db.close();

    const fixed = fx.app(r.token, {
      dbName: r.dbName,
      client: { collections: { work_orders: { conflicts: 'client-wins' } } },
    });
    const summary = await fixed.client.sync();
    expect(summary.push.conflicts).toBe(1);
    expect((await serverState(fx.server, 'work_orders', r.owner))['w1']).toEqual({ id: 'w1', title: 'mine' });
  });

  it('lists and clears the durable conflict log', async () => {
    const r = await conflictWith('server-wins', { title: 'a' }, { title: 'b' });
    const [entry] = await r.client.conflictLog('work_orders');
    expect(entry?.seq).toEqual(expect.any(Number));
    expect(await r.client.conflictLog('customers')).toEqual([]);
    expect(await r.client.clearConflictLog()).toBe(1);
    expect(await r.client.conflictLog()).toEqual([]);
  });
});

describe('conflicts of a chain of writes', () => {
  for (const [strategy, expected] of [
    ['server-wins', { id: 'x', title: 'created on the server' }],
    ['client-wins', undefined],
  ] as const) {
    it(`logs a conflicting create deleted locally before its answer came back once, with the newest local value (${strategy})`, async () => {
      const owner = `chain-${strategy}`;
      const token = await fx.user(owner);
      const app = fx.app(token, { client: { collections: { work_orders: { conflicts: strategy } } } });
      await app.client.sync();
      // Another device creates x on the server; this one creates x too, offline.
      await fx.server.admin.putRecord('work_orders', 'x', { title: 'created on the server' }, owner);
      await app.db.put('work_orders', { id: 'x', title: 'created here' });
      app.transport.losePushResponses = 1;
      expect((await app.client.sync()).outcome).toBe('waiting');
      // The create was answered `conflict`, but the answer was lost; the user deletes x meanwhile.
      await app.db.delete('work_orders', 'x');
      expect(await app.client.pendingWrites()).toBe(2);

      const summary = await app.client.sync();

      expect(summary.outcome).toBe('ok');
      const log = await app.client.conflictLog();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({
        id: 'x',
        local: null,
        remote: { id: 'x', title: 'created on the server' },
        rule: strategy,
      });
      expect(await app.client.pendingWrites()).toBe(0);
      expect((await serverState(fx.server, 'work_orders', owner))['x']).toEqual(expected);
      expect(await localState(app.db, 'work_orders')).toEqual(
        await serverState(fx.server, 'work_orders', owner),
      );
    });
  }
});

describe('rejected writes', () => {
  it('rolls back a write to a read-only collection and reports it without blocking the outbox', async () => {
    const token = await fx.user('rejected');
    await fx.server.admin.putRecord('service_types', 'st1', { name: 'Repair' });
    // Declared transactional here (the app thinks it may edit them); the server's collection is read-only.
    const app = fx.app(token, {
      stores: { ...testStores, service_types: { kind: 'transactional' } },
      client: { collections: { service_types: {}, work_orders: {} } },
    });
    await app.client.sync();
    const errors: unknown[] = [];
    app.client.errors$.subscribe((e) => errors.push(e));
    await app.db.put('service_types', { id: 'st1', name: 'Hacked' });
    await app.db.put('service_types', { id: 'st-new', name: 'Invented' });
    await app.db.put('work_orders', { id: 'after', title: 'still pushed' });

    const summary = await app.client.sync();

    expect(summary.push).toMatchObject({ applied: 1, rejected: 2 });
    expect(await app.db.get('service_types', 'st1')).toMatchObject({ id: 'st1', name: 'Repair' });
    expect(await app.db.get('service_types', 'st-new')).toBeUndefined();
    expect(
      errors.filter((e) => isIdbSyncError(e, 'MUTATION_REJECTED')).map((e) => [e.store, e.id, e.reason]),
    ).toEqual([
      ['service_types', 'st1', 'read-only'],
      ['service_types', 'st-new', 'read-only'],
    ]);
    expect((await serverState(fx.server, 'work_orders', 'rejected'))['after']).toEqual({
      id: 'after',
      title: 'still pushed',
    });
    expect(await app.client.pendingWrites()).toBe(0);
  });

  it('rolls back a value the server cannot store (a NUL character), reports it, and keeps syncing the rest', async () => {
    const token = await fx.user('unstorable');
    const app = fx.app(token);
    await app.client.sync();
    const errors: unknown[] = [];
    app.client.errors$.subscribe((e) => errors.push(e));
    await app.db.put('work_orders', { id: 'before', title: 'fine' });
    await app.db.put('work_orders', { id: 'nul', title: 'a\u0000b' });
    await app.db.put('work_orders', { id: 'after', title: 'fine too' });

    const summary = await app.client.sync();

    expect(summary.outcome).toBe('ok');
    expect(summary.push).toMatchObject({ applied: 2, rejected: 1 });
    expect(
      errors.filter((e) => isIdbSyncError(e, 'MUTATION_REJECTED')).map((e) => [e.store, e.id, e.reason]),
    ).toEqual([['work_orders', 'nul', 'invalid']]);
    expect(await app.db.get('work_orders', 'nul')).toBeUndefined();
    expect(await app.client.pendingWrites()).toBe(0);
    expect(await serverState(fx.server, 'work_orders', 'unstorable')).toEqual({
      before: { id: 'before', title: 'fine' },
      after: { id: 'after', title: 'fine too' },
    });
    // Not stuck: the next write syncs as usual.
    await app.db.put('work_orders', { id: 'later', title: 'fine' });
    expect((await app.client.sync()).push).toMatchObject({ applied: 1, rejected: 0 });
  });
});
