import { filter, firstValueFrom, type Observable, ReplaySubject, type Subscription, skip } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type SyncFixture, startSyncFixture, testStores } from '../../test/sync/sync-fixture.js';
import { openTestDatabase, type TestDatabase, uniqueDbName } from '../../test/sync/test-database.js';
import { createSyncClient, type SyncClient } from '../sync/sync-client.js';
import { createHttpTransport } from '../transport/http-transport.js';
import { createWebSocketTransport } from '../transport/web-socket-transport.js';
import { changeFeed } from './change-feed.js';
import { connectionManager } from './connection-manager.js';

/** Records what an observable emits; `next(p)` resolves with the first later value matching `p`. */
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
  /** Resolves with the first value, already recorded or still to come, that matches. */
  seen(predicate: (value: T) => boolean): Promise<T> {
    return firstValueFrom(this.#replay.pipe(filter(predicate)));
  }
  stop(): void {
    this.#subscription.unsubscribe();
  }
}

/** A BroadcastChannel that counts the channels currently open. */
function countingChannel() {
  const counter = { open: 0, created: 0 };
  class Counting extends BroadcastChannel {
    #closed = false;
    constructor(name: string) {
      super(name);
      counter.open += 1;
      counter.created += 1;
    }
    override close(): void {
      if (!this.#closed) counter.open -= 1;
      this.#closed = true;
      super.close();
    }
  }
  return { counter, Channel: Counting as typeof BroadcastChannel };
}

let fx: SyncFixture;
let token: string;
beforeAll(async () => {
  fx = await startSyncFixture({ heartbeatMs: 5_000 });
  token = await fx.user('feeds');
});
afterAll(() => fx?.close());

describe('changeFeed', () => {
  it('hears this tab and another tab once each, and opens nothing before subscribe or after unsubscribe', async () => {
    const name = uniqueDbName('feed');
    const a = fx.app(token, { dbName: name });
    const b = fx.app(token, { dbName: name });
    await Promise.all([a.client.sync(), b.client.sync()]); // opens both clients' tab channels
    const { counter, Channel } = countingChannel();
    const feed = changeFeed({ database: a.db, client: a.client, BroadcastChannel: Channel });
    const changes$ = feed.changes$('work_orders');
    expect(counter.created).toBe(0);

    const recorder = new Recorder(changes$);
    expect(counter.open).toBe(1);
    const own = recorder.next((c) => c.id === 'wo-this');
    await a.client.write('work_orders', { id: 'wo-this', title: 'here' });
    expect(await own).toMatchObject({ type: 'put', origin: 'local', value: { title: 'here' } });

    const other = recorder.next((c) => c.id === 'wo-other');
    await b.client.write('work_orders', { id: 'wo-other', title: 'there' });
    expect(await other).toMatchObject({
      type: 'put',
      origin: 'local',
      value: { title: 'there' },
    });
    const gone = recorder.next((c) => c.id === 'wo-other' && c.type === 'delete');
    await b.client.delete('work_orders', 'wo-other');
    await gone;
    await a.client.write('customers', { id: 'cu-1', name: 'not in this feed' });
    // A last marker: everything before it was delivered, and nothing twice (no echo of a's own write).
    const marker = recorder.next((c) => c.id === 'wo-marker');
    await b.client.write('work_orders', { id: 'wo-marker', title: 'end' });
    await marker;
    expect(recorder.values.map((c) => [c.id, c.type])).toEqual([
      ['wo-this', 'put'],
      ['wo-other', 'put'],
      ['wo-other', 'delete'],
      ['wo-marker', 'put'],
    ]);

    recorder.stop();
    expect(counter.open).toBe(0);
    expect(counter.created).toBe(1);
  });

  it('re-runs a live query after a relevant change and not after an unrelated one', async () => {
    const { db, client } = fx.app(token);
    await client.sync();
    const feed = changeFeed({ database: db, client });
    let runs = 0;
    const results = new Recorder(
      feed.liveQuery(
        'work_orders',
        async () => {
          runs += 1;
          return ((await db.getAll('work_orders')) as { id: string }[]).map((r) => r.id).sort();
        },
        (change) => change.id.startsWith('wo-'),
      ),
    );
    await results.next(() => true);
    const first = results.values.length;

    await client.write('customers', { id: 'cu-x', name: 'other store' });
    await client.write('work_orders', { id: 'note-1', title: 'filtered out by relevant()' });
    const next = results.next((ids) => ids.includes('wo-1'));
    await client.write('work_orders', { id: 'wo-1', title: 'relevant' });
    expect(await next).toEqual(['note-1', 'wo-1']);
    expect(runs).toBe(2);
    expect(results.values.length).toBe(first + 1);
    results.stop();
  });
});

describe('the sync client wired to the listeners in one line', () => {
  const kinds = ['polling', 'sse', 'websocket'] as const;

  it.each(kinds)('a change written by another client reaches changes$ through %s', async (kind) => {
    // OPEN (issue #5): on indexeddbshim the polling case timed out in the last CI run (SSE and WebSocket
    // pass there, polling passes on fake-indexeddb); not yet diagnosed, so it is skipped on the shim only.
    const http = createHttpTransport({ baseUrl: fx.server.url, schemaVersion: 1, getToken: () => token });
    const ws =
      kind === 'websocket'
        ? createWebSocketTransport({
            baseUrl: fx.server.url,
            schemaVersion: 1,
            getToken: () => token,
            WebSocket,
          })
        : undefined;
    const manager = connectionManager({
      transport: http,
      ...(kind === 'polling' ? { sse: false as const, intervalMs: 100 } : {}),
      ...(ws === undefined ? {} : { webSocket: ws }),
    });
    const name = uniqueDbName(`wired-${kind}`);
    const db: TestDatabase = openTestDatabase(name, testStores);
    const client: SyncClient = createSyncClient({
      database: db,
      transport: manager.syncTransport,
      triggers: manager.signals$,
      locks: null,
    });
    const feed = changeFeed({ database: db, client });
    const changes = new Recorder(feed.changes$('work_orders'));
    const kinds$ = new Recorder(manager.transport$);
    try {
      await client.start();
      // start() resolves once this tab leads, by when the manager may already have connected.
      await kinds$.seen((k) => k === kind);
      await client.whenIdle();
      const id = `wo-remote-${kind}`;
      const heard = changes.next((c) => c.id === id);
      const other = fx.app(token);
      await other.client.write('work_orders', { id, title: `via ${kind}` });
      await other.client.sync();
      expect(await heard).toMatchObject({
        type: 'put',
        origin: 'remote',
        value: { title: `via ${kind}` },
      });
    } finally {
      changes.stop();
      kinds$.stop();
      await client.close();
      ws?.close();
      await db.close();
    }
  });
});
