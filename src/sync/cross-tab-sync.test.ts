import { filter, firstValueFrom, from } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  warmServerTemplate,
} from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import { transact } from '../idb/transact.js';
import { SYNC_STATE_STORE } from './internal-stores.js';
import type { RunSummary } from './run-summary.js';
import type { SyncClient } from './sync-client.js';
import { connectionSource } from './sync-database.js';

let fx: SyncFixture | undefined;
beforeAll(warmServerTemplate);
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const becomesLeader = (client: SyncClient) => firstValueFrom(from(client.leader$).pipe(filter(Boolean)));
const nextRun = (client: SyncClient, predicate: (s: RunSummary) => boolean = () => true) =>
  firstValueFrom(from(client.runs$).pipe(filter(predicate)));

describe('several tabs on one database', () => {
  it('elects one leader; the other tab hears its changes and gets its own writes pushed by the leader', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('tabs');
    await fx.seed('work_orders', 5, { owner: 'tabs', prefix: 'w' });
    const dbName = uniqueDbName('tabs');
    const only = { collections: { work_orders: {} } };
    const a = fx.app(token, { dbName, client: only });
    const b = fx.app(token, { dbName, client: only });
    await a.client.start();
    expect(a.client.isLeader).toBe(true);
    await a.client.whenIdle();
    await b.client.start();
    expect([a.client.isLeader, b.client.isLeader]).toEqual([true, false]);

    // A server change pulled by A reaches B's database changes$ over the BroadcastChannel; B never pulls.
    const heardInB = firstValueFrom(from(b.db.changes$).pipe(filter((c) => c.key === 'w-new')));
    await fx.server.admin.putRecord('work_orders', 'w-new', { title: 'from the server' }, 'tabs');
    await a.client.sync();
    expect(await heardInB).toEqual({ store: 'work_orders', type: 'put', key: 'w-new', origin: 'remote' });
    expect(b.transport.pulls).toHaveLength(0);
    expect(await b.db.get('work_orders', 'w-new')).toMatchObject({ title: 'from the server' });

    const pushedByA = nextRun(a.client, (s) => s.push.applied > 0);
    await b.db.put('work_orders', { id: 'from-b', title: 'written in tab B' });
    await pushedByA;
    expect(b.transport.pushes).toHaveLength(0);
    expect((await serverState(fx.server, 'work_orders', 'tabs'))['from-b']).toEqual({
      id: 'from-b',
      title: 'written in tab B',
    });
  });

  it('hands the lead over when the leading tab closes mid-sync, and the new leader finishes the full sync', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('handover');
    await fx.seed('parts', 100, { prefix: 'p' });
    const dbName = uniqueDbName('handover');
    const only = { collections: { parts: {} } };
    const a = fx.app(token, { dbName, client: only });
    const b = fx.app(token, { dbName, client: only });
    const held = a.transport.holdPullsAfter(2);
    await a.client.start();
    await held;
    await b.client.start();
    expect(b.client.isLeader).toBe(false);

    const finished = nextRun(b.client);
    await a.client.close();
    await becomesLeader(b.client);
    const summary = await finished;
    expect(summary.plans[0]).toMatchObject({ mode: 'full', reasons: ['resume'] });
    expect(b.transport.pulls).toHaveLength(3);
    expect(await localState(b.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
  });

  it('takes over the fallback lock of a tab that died holding it once its lease runs out', async () => {
    fx = await startSyncFixture();
    const token = await fx.user('lease');
    const dbName = uniqueDbName('lease');
    const app = fx.app(token, { dbName, client: { collections: { parts: {} }, lockTtlMs: 200 } });
    const connect = connectionSource(app.db);
    // A crashed tab's lease: it will never renew nor release it.
    await transact(connect, [SYNC_STATE_STORE], 'readwrite', (scope) => {
      scope
        .store(SYNC_STATE_STORE)
        .put({ key: 'lock:leader', owner: 'crashed-tab', expiresAt: Date.now() + 200 });
      return () => undefined;
    });
    await app.client.start();
    expect(app.client.isLeader).toBe(false);
    await becomesLeader(app.client);
    expect(app.client.isLeader).toBe(true);
  });
});
