import { filter, firstValueFrom, ReplaySubject, skip } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type SyncFixture, startSyncFixture, testStores } from '../../test/sync/sync-fixture.js';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  uniqueDbName,
} from '../../test/sync/test-database.js';
import type { TransportsOptions } from '../listeners/live-connection.js';
import type { Observable, Subscription } from '../rx/observable.js';
import { createSyncClient, type LiveSyncClient } from '../sync/sync-client.js';

/** Every value of an observable; waits for the first one from now on (or ever) matching. */
class Recorder<T> {
  readonly values: T[] = [];
  readonly #replay = new ReplaySubject<T>();
  readonly #subscription: Subscription;
  constructor(source: Observable<T>) {
    this.#subscription = source.subscribe((v) => {
      this.values.push(v);
      this.#replay.next(v);
    });
  }
  next(predicate: (value: T) => boolean): Promise<T> {
    return firstValueFrom(this.#replay.pipe(skip(this.values.length), filter(predicate)));
  }
  seen(predicate: (value: T) => boolean): Promise<T> {
    return firstValueFrom(this.#replay.pipe(filter(predicate)));
  }
  stop(): void {
    this.#subscription.unsubscribe();
  }
}

type Order = { id: string; title?: string };
const ids = (orders: readonly unknown[]) => (orders as Order[]).map((o) => o.id).sort();

let fx: SyncFixture;
let token: string;
const recorders: Recorder<unknown>[] = [];
const clients: LiveSyncClient[] = [];
const databases: TestDatabase[] = [];
const hadWebSocket = 'WebSocket' in globalThis;

beforeAll(async () => {
  if (!hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  fx = await startSyncFixture({ heartbeatMs: 5_000 });
  token = await fx.user('live-queries');
});
afterEach(async () => {
  for (const r of recorders.splice(0)) r.stop();
  for (const c of clients.splice(0)) await c.close();
  for (const db of databases.splice(0)) {
    await db.close();
    await deleteTestDatabase(db.name);
  }
});
afterAll(async () => {
  await fx?.close();
  if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

function database(name = uniqueDbName('live')): TestDatabase {
  const db = openTestDatabase(name, testStores);
  databases.push(db);
  return db;
}

function record<T>(source: Observable<T>): Recorder<T> {
  const recorder = new Recorder(source);
  recorders.push(recorder as Recorder<unknown>);
  return recorder;
}

function liveClient(db: TestDatabase, transports?: TransportsOptions): LiveSyncClient {
  const client = createSyncClient({
    database: db,
    url: fx.server.url,
    getToken: () => token,
    locks: null,
    windowSize: 100,
    ...(transports === undefined ? {} : { transports }),
  });
  clients.push(client);
  return client;
}

describe('appDb.live(stores, fn)', () => {
  it('re-runs after a write in this tab and in another tab, not after other stores or irrelevant changes', async () => {
    const name = uniqueDbName('live-tabs');
    const here = database(name);
    const otherTab = database(name);
    let runs = 0;
    const orders = record(
      here.live(
        ['work_orders'],
        async (tx) => {
          runs += 1;
          return ids(await tx.objectStore('work_orders').getAll());
        },
        { relevant: (change) => String(change.key).startsWith('wo-') },
      ),
    );
    await orders.seen(() => true);
    const first = runs;

    await here.put('customers', { id: 'cu-x', name: 'another store' });
    await here.put('work_orders', { id: 'note-1', title: 'not relevant' });
    const mine = orders.next((list) => list.includes('wo-here'));
    await here.put('work_orders', { id: 'wo-here', title: 'this tab' });
    expect(await mine).toEqual(['note-1', 'wo-here']);
    expect(runs).toBe(first + 1);

    const theirs = orders.next((list) => list.includes('wo-there'));
    await otherTab.put('work_orders', { id: 'wo-there', title: 'other tab' });
    expect(await theirs).toEqual(['note-1', 'wo-here', 'wo-there']);
    const deleted = orders.next((list) => !list.includes('wo-there'));
    await otherTab.delete('work_orders', 'wo-there');
    await deleted;
  });

  it.each([
    ['websocket', undefined],
    ['sse', { websocket: false }],
    ['polling', { websocket: false, sse: false, pollIntervalMs: 100 }],
  ] as const)('re-runs when another device’s change arrives through %s', async (kind, transports) => {
    const db = database();
    const client = liveClient(db, transports);
    const connection = record(client.connection$);
    await client.start();
    await connection.seen((k) => k === kind);
    await client.whenIdle();
    const orders = record(
      db.live(['work_orders'], async (tx) => ids(await tx.objectStore('work_orders').getAll())),
    );
    await orders.seen(() => true);

    const otherDb = database();
    const other = liveClient(otherDb);
    const id = `wo-from-afar-${kind}`;
    const arrived = orders.next((list) => list.includes(id));
    await otherDb.put('work_orders', { id, title: `via ${kind}` });
    await other.sync();
    await arrived;
  });

  it('a pulled page of records re-runs the query once per page, not once per record', async () => {
    const owner = 'live-pages';
    const pagesToken = await fx.user(owner);
    await fx.seed('work_orders', 300, { owner, prefix: 'bulk' });
    const db = database();
    const client = createSyncClient({
      database: db,
      url: fx.server.url,
      getToken: () => pagesToken,
      windowSize: 100,
      collections: { work_orders: {} },
    });
    clients.push(client);
    let runs = 0;
    const counts = record(
      db.live(['work_orders'], (tx) => {
        runs += 1;
        return tx.objectStore('work_orders').count();
      }),
    );
    await counts.seen(() => true);
    const summary = await client.sync();
    const pages = summary.collections.find((c) => c.collection === 'work_orders')?.pages ?? 0;
    expect(pages).toBeGreaterThanOrEqual(3);
    await counts.seen((n) => n === 300);
    // One run on subscribe, at most one per committed page.
    expect(runs).toBeLessThanOrEqual(1 + pages);
    // Results only grow: never a stale (smaller) count after a newer one.
    expect(counts.values).toEqual([...counts.values].sort((a, b) => a - b));
  });
});
