import { firstValueFrom, from } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  warmServerTemplate,
} from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import type { SyncProgress } from './run-context.js';

let fx: SyncFixture | undefined;
beforeAll(warmServerTemplate);
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** 100 parts in pages of 20: five snapshot pages. */
async function setup() {
  fx = await startSyncFixture();
  const token = await fx.user('resume');
  await fx.seed('parts', 100, { prefix: 'p' });
  return { fx, token, dbName: uniqueDbName('resume') };
}

describe('resumable full sync', () => {
  for (const k of [1, 2, 4]) {
    it(`continues an interrupted first sync after ${k} page(s) from the last written page and ends identical to the server`, async () => {
      const { fx, token, dbName } = await setup();
      const first = fx.app(token, { dbName, client: { collections: { parts: {} } } });
      first.transport.pullBudget = k;
      const interrupted = await first.client.sync();
      expect(interrupted.outcome).toBe('waiting');
      expect(await first.db.all('parts')).toHaveLength(20 * k);
      await first.client.close();
      await first.db.close();

      // A reload: a new client on the same IndexedDB database.
      const second = fx.app(token, { dbName, client: { collections: { parts: {} } } });
      const progress: SyncProgress[] = [];
      second.client.progress$.subscribe((p) => progress.push(p));
      const resumed = await second.client.sync();
      expect(resumed.plans[0]).toMatchObject({ collection: 'parts', mode: 'full', reasons: ['resume'] });
      expect(second.transport.pulls).toHaveLength(5 - k);
      expect(second.transport.pulls[0]?.checkpoint).not.toBeNull();
      expect(progress.at(-1)).toEqual({
        collection: 'parts',
        mode: 'full',
        done: 100,
        total: 100,
        ready: true,
      });
      expect(await localState(second.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    });
  }

  it('keeps the old data readable during a forced full sync and removes what the server deleted', async () => {
    const { fx, token, dbName } = await setup();
    const app = fx.app(token, { dbName, client: { collections: { parts: {} } } });
    await app.client.sync();
    for (const id of ['p010', 'p011', 'p070', 'p099']) await fx.server.admin.deleteRecord('parts', id);
    await fx.server.admin.putRecord('parts', 'p050', { name: 'changed', n: -1 });
    await fx.server.admin.putRecord('parts', 'p0505', { name: 'inserted', n: -2 });

    app.transport.pullBudget = 2;
    const interrupted = await app.client.sync({ full: ['parts'] });
    expect(interrupted.plans[0]).toMatchObject({ mode: 'full', reasons: ['requested'] });
    // Two pages replaced ids up to their end; everything after is still the old data.
    const midway = await localState(app.db, 'parts');
    expect(Object.keys(midway)).toHaveLength(98);
    expect(midway.p010).toBeUndefined();
    expect(midway.p070).toEqual({ id: 'p070', name: 'p70', n: 70 });
    expect(midway.p099).toBeDefined();

    app.transport.pullBudget = undefined;
    const resumed = await app.client.sync();
    expect(resumed.plans[0]).toMatchObject({ mode: 'full', reasons: ['resume'] });
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    const after = await app.client.sync();
    expect(after.plans[0]).toMatchObject({ mode: 'incremental', reasons: ['checkpoint'] });
  });

  it('lets the app read and write while a full sync waits for its next page', async () => {
    const { fx, token, dbName } = await setup();
    const app = fx.app(token, { dbName, client: { collections: { parts: {}, work_orders: {} } } });
    await app.client.sync();
    await fx.server.admin.putRecord('parts', 'p000', { name: 'renamed', n: 0 });
    // Two pulls go through: work_orders' one page, then parts' first.
    const held = app.transport.holdPullsAfter(2);
    const firstPage = firstValueFrom(from(app.client.progress$));
    const running = app.client.sync({ full: ['parts'] });
    await held;
    await firstPage;
    // Mid-sync: one page written, the next one awaited with no transaction open.
    expect(await app.db.count('parts')).toBe(100);
    expect(await app.db.get('parts', 'p000')).toMatchObject({ name: 'renamed' });
    await app.db.put('work_orders', { id: 'mid-sync', title: 'written during the full sync' });
    app.transport.releasePulls();
    expect((await running).outcome).toBe('ok');
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    expect(await app.client.pendingWrites()).toBe(1);
  });

  it('remembers a requested full sync across a reload when it could not start offline', async () => {
    const { fx, token, dbName } = await setup();
    const app = fx.app(token, { dbName, client: { collections: { parts: {} } } });
    await app.client.sync();
    app.transport.offline = true;
    expect((await app.client.sync({ full: ['parts'] })).outcome).toBe('waiting');
    await app.client.close();
    await app.db.close();

    const reloaded = fx.app(token, { dbName, client: { collections: { parts: {} } } });
    const summary = await reloaded.client.sync();
    // The capabilities known from the first sync spare their request: offline, the requested full
    // sync started its snapshot and its first pull failed; the reload resumes it from the start.
    expect(summary.plans[0]).toMatchObject({ mode: 'full', reasons: ['resume'] });
    expect(summary.collections[0]).toMatchObject({
      pages: 5,
      fetch: 100,
      change: 0,
      unchanged: 100,
      skipped: 0,
    });
  });
});
