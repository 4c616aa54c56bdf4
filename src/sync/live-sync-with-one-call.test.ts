import { BehaviorSubject, filter, firstValueFrom, from, ReplaySubject, skip } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type SyncFixture, startSyncFixture, testStores } from '../../test/sync/sync-fixture.js';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  uniqueDbName,
} from '../../test/sync/test-database.js';
import { type GateProxy, startGateProxy } from '../../test/transport/gate-proxy.js';
import type { SyncEnvironment } from '../listeners/environment.js';
import type { ConnectionKind } from '../listeners/pull-signal.js';
import type { Observable } from '../rx/observable.js';
import { createHttpTransport } from '../transport/http-transport.js';
import { createSyncClient, type LiveSyncClient } from './sync-client.js';

/** Every value an observable emitted, and a wait for the first one (already seen or to come) matching. */
class Seen<T> {
  readonly values: T[] = [];
  readonly #replay = new ReplaySubject<T>();
  constructor(source: Observable<T>) {
    source.subscribe((v) => {
      this.values.push(v);
      this.#replay.next(v);
    });
  }
  until(predicate: (value: T) => boolean): Promise<T> {
    return firstValueFrom(this.#replay.pipe(filter(predicate)));
  }
  next(predicate: (value: T) => boolean): Promise<T> {
    return firstValueFrom(this.#replay.pipe(skip(this.values.length), filter(predicate)));
  }
}

/** An environment whose subscribers are counted (to prove `close()` removes them). */
function countedEnvironment(): SyncEnvironment & {
  subscribers(): number;
  online: BehaviorSubject<boolean>;
  visible: BehaviorSubject<boolean>;
} {
  const online = new BehaviorSubject(true);
  const visible = new BehaviorSubject(true);
  return {
    online,
    visible,
    online$: online,
    visible$: visible,
    subscribers: () => (online.observed ? 1 : 0) + (visible.observed ? 1 : 0),
  };
}

let fx: SyncFixture;
let proxy: GateProxy;
let token: string;
const clients: LiveSyncClient[] = [];
const databases: TestDatabase[] = [];
let mutationId = 0;

// Node 20 has no global WebSocket; a browser (and Node 22+) has one: the one-call client finds it there.
const hadWebSocket = 'WebSocket' in globalThis;
beforeAll(async () => {
  if (!hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  fx = await startSyncFixture({ heartbeatMs: 5_000 });
  token = await fx.user('live');
  proxy = await startGateProxy(fx.server.url);
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const db of databases.splice(0)) {
    await db.close();
    await deleteTestDatabase(db.name);
  }
  proxy.refuse('websocket', false);
  proxy.refuse('sse', false);
});
afterAll(async () => {
  await proxy?.close();
  await fx?.close();
  if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

function database(name = uniqueDbName('one-call')): TestDatabase {
  const db = openTestDatabase(name, testStores);
  databases.push(db);
  return db;
}

function track<C extends LiveSyncClient>(client: C): C {
  clients.push(client);
  return client;
}

/** Another device of the same user pushes a work order (straight over the protocol). */
async function anotherDeviceWrites(id: string, title = id): Promise<void> {
  mutationId += 1;
  const http = createHttpTransport({ baseUrl: fx.server.url, schemaVersion: 1, getToken: () => token });
  const { results } = await http.push({
    clientId: 'another-device',
    mutations: [{ mutationId, collection: 'work_orders', id, op: 'put', baseRev: null, value: { title } }],
  });
  expect(results[0]?.status).toBe('applied');
}

/** Resolves once the record `id` is in the local work orders (a live query of it). */
function arrives(db: TestDatabase, id: string): Promise<unknown> {
  return firstValueFrom(
    from(db.live(['work_orders'], (tx) => tx.objectStore('work_orders').get(id))).pipe(
      filter((v) => v !== undefined),
    ),
  );
}

describe('createSyncClient({ database, url, getToken })', () => {
  it('syncs live over the WebSocket: a change pushed by a second client reaches it through a poke and a live query re-runs', async () => {
    const db = database();
    const client = track(createSyncClient({ database: db, url: fx.server.url, getToken: () => token }));
    const connection = new Seen(client.connection$);
    const runs = new Seen(client.runs$);
    await client.start();
    await connection.until((kind) => kind === 'websocket');
    await runs.until((run) => run.outcome === 'ok');
    expect(fx.server.connections().ws).toBe(1);
    const titles = new Seen(
      db.live(['work_orders'], async (tx) =>
        (await tx.objectStore('work_orders').getAll()).map((r) => (r as { title?: string }).title).sort(),
      ),
    );
    await titles.until(() => true);

    // A second device of the same user, set up the same way, writes through its database handle.
    const otherDb = database();
    const other = track(createSyncClient({ database: otherDb, url: fx.server.url, getToken: () => token }));
    await other.start();
    const poked = runs.next((run) =>
      run.collections.some((c) => c.collection === 'work_orders' && c.change > 0),
    );
    await otherDb.put('work_orders', { id: 'wo-live', title: 'written on the other device' });
    await poked;
    expect(await titles.until((list) => list.includes('written on the other device'))).toContain(
      'written on the other device',
    );
    expect(await db.get('work_orders', 'wo-live')).toMatchObject({ title: 'written on the other device' });
    // Pulls travelled over the same socket as the pokes.
    expect(fx.server.logs.some((e) => e['method'] === 'WS' && String(e['path']).endsWith('#pull'))).toBe(
      true,
    );

    await other.close();
    await client.close();
    await vi.waitFor(() => expect(fx.server.connections()).toEqual({ ws: 0, sse: 0 }));
    expect(connection.values.at(-1)).toBe('offline');
  });

  it('falls back to SSE when the WebSocket is refused, to polling when SSE is refused too, and upgrades again when each comes back', async () => {
    proxy.refuse('websocket', true);
    proxy.refuse('sse', true);
    const db = database();
    const client = track(
      createSyncClient({
        database: db,
        url: proxy.url,
        getToken: () => token,
        retry: { initialMs: 20, maxMs: 100 },
        transports: { upgradeAfterMs: 300, pollIntervalMs: 100 },
      }),
    );
    const connection = new Seen(client.connection$);
    await client.start();
    await connection.until((kind) => kind === 'polling');
    expect(connection.values).toEqual(['offline', 'websocket', 'sse', 'polling']);
    await anotherDeviceWrites('wo-polled');
    await arrives(db, 'wo-polled');

    // SSE works again: the next upgrade round finds it (the WebSocket is still refused).
    proxy.refuse('sse', false);
    await connection.next((kind) => kind === 'sse');
    await anotherDeviceWrites('wo-streamed');
    await arrives(db, 'wo-streamed');
    expect(proxy.open().sse).toBe(1);

    // The WebSocket works again: it takes over and the SSE stream is closed.
    proxy.refuse('websocket', false);
    await connection.next((kind) => kind === 'websocket');
    await vi.waitFor(() => expect(proxy.open()).toEqual({ websocket: 1, sse: 0 }));
    await anotherDeviceWrites('wo-socketed');
    await arrives(db, 'wo-socketed');

    // The WebSocket breaks mid-session and stays refused: SSE takes over.
    proxy.refuse('websocket', true);
    await connection.next((kind) => kind === 'sse');
    await anotherDeviceWrites('wo-after-break');
    await arrives(db, 'wo-after-break');
  });

  it('close() leaves nothing behind: no socket, stream, environment listener or timer', async () => {
    const environment = countedEnvironment();
    const timersBefore = activeTimers();
    const db = database();
    const client = createSyncClient({ database: db, url: fx.server.url, getToken: () => token, environment });
    const connection = new Seen(client.connection$);
    await client.start();
    await connection.until((kind) => kind === 'websocket');
    await client.whenIdle();
    expect(environment.subscribers()).toBeGreaterThan(0);
    expect(fx.server.connections().ws).toBe(1);

    await client.close();
    expect(environment.subscribers()).toBe(0);
    await vi.waitFor(() => expect(fx.server.connections()).toEqual({ ws: 0, sse: 0 }));
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('pauses while offline and syncs at once when back online', async () => {
    const environment = countedEnvironment();
    const db = database();
    const client = track(
      createSyncClient({ database: db, url: fx.server.url, getToken: () => token, environment }),
    );
    const connection = new Seen(client.connection$);
    await client.start();
    await connection.until((kind) => kind === 'websocket');
    environment.online.next(false);
    await connection.until((kind) => kind === 'offline');
    await anotherDeviceWrites('wo-while-offline');
    expect(await db.get('work_orders', 'wo-while-offline')).toBeUndefined();
    environment.online.next(true);
    await arrives(db, 'wo-while-offline');
    await connection.until((kind) => kind === 'websocket');
  });

  it('another tab of the same database shows the leading tab’s connection', async () => {
    const name = uniqueDbName('one-call-tabs');
    const leader = track(
      createSyncClient({ database: database(name), url: fx.server.url, getToken: () => token, locks: null }),
    );
    await leader.start();
    await firstValueFrom(from(leader.connection$).pipe(filter((kind) => kind === 'websocket')));
    const follower = track(
      createSyncClient({ database: database(name), url: fx.server.url, getToken: () => token, locks: null }),
    );
    await follower.start();
    expect(follower.isLeader).toBe(false);
    const kinds = new Seen<ConnectionKind>(follower.connection$);
    await kinds.until((kind) => kind === 'websocket');
    expect(fx.server.connections().ws).toBe(1);
  });

  it('a hidden leading tab keeps the connection while another tab is visible, and pauses when all are hidden', async () => {
    const name = uniqueDbName('one-call-visibility');
    const leaderEnv = countedEnvironment();
    const followerEnv = countedEnvironment();
    const open = (environment: SyncEnvironment) =>
      track(
        createSyncClient({
          database: database(name),
          url: fx.server.url,
          getToken: () => token,
          locks: null,
          environment,
        }),
      );
    const leader = open(leaderEnv);
    const kinds = new Seen(leader.connection$);
    await leader.start();
    await kinds.until((kind) => kind === 'websocket');
    const follower = open(followerEnv);
    await follower.start();
    expect(follower.isLeader).toBe(false);
    await new Seen(follower.connection$).until((kind) => kind === 'websocket');

    // The user switches to the follower tab: the leader is hidden but keeps hearing changes.
    leaderEnv.visible.next(false);
    await anotherDeviceWrites('wo-seen-from-background');
    await arrives(database(name), 'wo-seen-from-background');
    expect(kinds.values.at(-1)).toBe('websocket');

    // Both hidden: the leader closes its channel; one visible again: it reconnects.
    followerEnv.visible.next(false);
    await kinds.next((kind) => kind === 'offline');
    followerEnv.visible.next(true);
    await kinds.next((kind) => kind === 'websocket');
  });
});

/** Timers alive in this process (Node's own count). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
