import { BehaviorSubject, filter, firstValueFrom, from, Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../../test/db/test-support.js';
import {
  localState,
  type SyncFixture,
  serverState,
  startSyncFixture,
  testStores,
} from '../../test/sync/sync-fixture.js';
import { deleteTestDatabase, openTestDatabase, uniqueDbName } from '../../test/sync/test-database.js';
import { sendJson, startScriptedHttpServer } from '../../test/transport/scripted-http-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { PullOutcome } from '../listeners/pull-signal.js';
import { errorBody } from '../protocol/error-codes.js';
import type { Observable } from '../rx/observable.js';
import { createHttpTransport } from '../transport/http-transport.js';
import type { SyncProgress } from './run-context.js';
import { createSyncClient } from './sync-client.js';
import type { SyncLogEntry, SyncStatus } from './sync-log.js';

let fx: SyncFixture;
beforeAll(async () => {
  fx = await startSyncFixture();
  await fx.seed('parts', 50, { prefix: 'p' });
});
afterAll(() => fx?.close());

describe('the sync client', () => {
  it('opens no database, channel or timer when it is created', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const channel = vi.spyOn(globalThis, 'BroadcastChannel');
    const db = openTestDatabase(uniqueDbName('lazy'), testStores);
    const client = createSyncClient({ database: db, transport: fx.app('unused').transport });
    expect(open).not.toHaveBeenCalled();
    expect(timeouts).not.toHaveBeenCalled();
    expect(channel).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    await client.close();
  });

  it('refuses writes to stores the database does not declare and records without a string id', async () => {
    const app = fx.app(await fx.user('invalid'));
    await expect(app.db.put('nope', { id: 'x' })).rejects.toSatisfy((e) =>
      isIdbSyncError(e, 'INDEXEDDB_ERROR'),
    );
    await expect(app.db.put('work_orders', { id: 42 })).rejects.toSatisfy((e) =>
      isIdbSyncError(e, 'INVALID_KEY'),
    );
    expect(await app.client.pendingWrites()).toBe(0);
  });

  it('reports status, per-page progress and a summary per run', async () => {
    const app = fx.app(await fx.user('observe'), { client: { collections: { parts: {} } } });
    const statuses: SyncStatus[] = [];
    const progress: SyncProgress[] = [];
    app.client.status$.subscribe((s) => statuses.push(s));
    app.client.progress$.subscribe((p) => progress.push(p));
    const summary = await app.client.sync();
    expect(statuses).toEqual(['idle', 'pushing', 'pulling', 'idle']);
    expect(progress).toEqual([
      { collection: 'parts', mode: 'full', done: 20, total: 50 },
      { collection: 'parts', mode: 'full', done: 40, total: 50 },
      { collection: 'parts', mode: 'full', done: 50, total: 50 },
    ]);
    expect(summary).toMatchObject({
      runId: 1,
      outcome: 'ok',
      collections: [{ collection: 'parts', mode: 'full', fetch: 50, change: 50, delete: 0, pages: 3 }],
      push: { sent: 0, applied: 0, conflicts: 0, rejected: 0 },
    });
  });

  it('logs runs, conflicts and errors without tokens or record contents unless asked to', async () => {
    const token = await fx.user('logged');
    await fx.server.admin.putRecord('work_orders', 'w1', { secret: 'base' }, 'logged');
    const entries: SyncLogEntry[] = [];
    const app = fx.app(token, {
      client: { collections: { work_orders: {} }, logger: (e) => entries.push(e) },
    });
    await app.client.sync();
    await app.db.put('work_orders', { id: 'w1', secret: 'local value' });
    await fx.server.admin.putRecord('work_orders', 'w1', { secret: 'remote value' }, 'logged');
    await app.client.sync();
    app.transport.offline = true;
    await app.client.sync();

    const conflict = entries.find((e) => e.type === 'conflict');
    expect(conflict).toMatchObject({
      conflict: { local: '[redacted]', remote: '[redacted]', result: '[redacted]' },
    });
    expect(entries.filter((e) => e.type === 'run')).toHaveLength(3);
    expect(entries).toContainEqual(expect.objectContaining({ type: 'error', code: 'NETWORK_ERROR' }));
    expect(entries).toContainEqual({ type: 'status', status: 'waiting-for-network' });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(token);
    expect(text).not.toContain('value');

    const open: SyncLogEntry[] = [];
    const opted = fx.app(token, {
      client: { collections: { work_orders: {} }, logger: (e) => open.push(e), logRecordContents: true },
    });
    await opted.client.sync();
    await opted.db.put('work_orders', { id: 'w1', secret: 'mine' });
    await fx.server.admin.putRecord('work_orders', 'w1', { secret: 'theirs' }, 'logged');
    await opted.client.sync();
    expect(open.find((e) => e.type === 'conflict')).toMatchObject({
      conflict: { local: { secret: 'mine' } },
    });
  });

  it('leads, follows trigger signals (only the named collections) and reports pull outcomes', async () => {
    const token = await fx.user('triggered');
    const triggers = new Subject<{ collections?: string[] }>();
    const app = fx.app(token, { client: { triggers } });
    const outcomes: unknown[] = [];
    app.client.pullOutcomes$.subscribe((o) => outcomes.push(o));
    await app.client.start();
    await app.client.whenIdle();

    await fx.server.admin.putRecord('customers', 'c1', { name: 'poked' }, 'triggered');
    const triggered = firstValueFrom(from(app.client.runs$));
    triggers.next({ collections: ['customers'] });
    const summary = await triggered;
    expect(summary.plans.filter((p) => p.mode !== 'skip').map((p) => p.collection)).toEqual(['customers']);
    expect(await app.db.get('customers', 'c1')).toMatchObject({ name: 'poked' });
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
  });

  it('retries in the leading tab after a network failure until the server is reachable again', async () => {
    const token = await fx.user('retry');
    const app = fx.app(token, {
      client: { collections: { parts: {} }, retry: { initialMs: 10, maxMs: 40 } },
    });
    app.transport.offline = true;
    const statuses: SyncStatus[] = [];
    app.client.status$.subscribe((s) => statuses.push(s));
    const failed = firstValueFrom(from(app.client.runs$).pipe(filter((s) => s.outcome === 'waiting')));
    await app.client.start();
    await failed;
    expect(statuses).toContain('waiting-for-network');
    const recovered = firstValueFrom(from(app.client.runs$).pipe(filter((s) => s.outcome === 'ok')));
    app.transport.offline = false;
    await recovered;
    expect(statuses.at(-1)).toBe('idle');
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
  });

  it('runs at once when the environment comes back online, without waiting for the retry delay', async () => {
    const token = await fx.user('online-again');
    const online = new BehaviorSubject(true);
    const app = fx.app(token, {
      client: {
        collections: { parts: {} },
        retry: { initialMs: 600_000 },
        environment: { online$: online, visible$: new BehaviorSubject(true) },
      },
    });
    app.transport.offline = true;
    const failed = firstValueFrom(from(app.client.runs$).pipe(filter((s) => s.outcome === 'waiting')));
    await app.client.start();
    await failed;
    online.next(false);
    app.transport.offline = false;
    const recovered = firstValueFrom(from(app.client.runs$).pipe(filter((s) => s.outcome === 'ok')));
    online.next(true);
    await recovered;
    expect(await localState(app.db, 'parts')).toEqual(await serverState(fx.server, 'parts'));
    await app.client.close();
    expect(online.observed).toBe(false);
  });

  it('function triggers get the pull outcomes (the failure itself) and retry failed runs instead of the client', async () => {
    const token = await fx.user('function-triggers');
    const signals = new Subject<object>();
    let outcomes: Observable<PullOutcome> | undefined;
    const app = fx.app(token, {
      client: {
        collections: { parts: {} },
        triggers: (pullOutcomes) => {
          outcomes = pullOutcomes;
          return signals;
        },
      },
    });
    app.transport.offline = true;
    await app.client.start();
    expect(outcomes).toBeDefined();
    const failure = await firstValueFrom(from(outcomes!).pipe(filter((o) => !o.ok)));
    expect(failure).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR', retryable: true } });
    app.transport.offline = false;
    const ok = firstValueFrom(from(outcomes!).pipe(filter((o) => o.ok)));
    signals.next({ reason: 'retry' });
    await ok;
    expect(signals.observed).toBe(true);
    await app.client.close();
    expect(signals.observed).toBe(false);
  });

  it.each(['advanced', 'one-call'] as const)(
    'retries a failed run no sooner than the server’s Retry-After (%s form)',
    async (form) => {
      const token = await fx.user(`retry-after-${form}`);
      // A real HTTP front that refuses the first request with 503 + Retry-After: 1, then forwards.
      const front = await startScriptedHttpServer(async (request, response) => {
        if (front.requests.length === 1) {
          sendJson(response, 503, errorBody('INTERNAL_ERROR', 'busy'), { 'retry-after': '1' });
          return;
        }
        const upstream = await fetch(`${fx.server.url}${request.path}`, {
          method: request.method,
          headers: { ...(request.headers as Record<string, string>), host: '' },
          ...(request.method === 'GET' ? {} : { body: request.body }),
        });
        sendJson(response, upstream.status, await upstream.text());
      });
      const db = openTestDatabase(uniqueDbName('retry-after'), testStores);
      const common = { locks: null, collections: { parts: {} }, retry: { initialMs: 10, requestRetries: 0 } };
      const client =
        form === 'advanced'
          ? createSyncClient({
              ...common,
              database: db,
              transport: createHttpTransport({
                baseUrl: front.url,
                schemaVersion: db.version,
                getToken: () => token,
                retry: { requestRetries: 0 },
              }),
            })
          : createSyncClient({
              ...common,
              database: db,
              url: front.url,
              getToken: () => token,
              transports: { websocket: false, sse: false },
            });
      try {
        const ok = firstValueFrom(from(client.runs$).pipe(filter((run) => run.outcome === 'ok')));
        await client.start();
        await ok;
        const [refused, retried] = front.requests;
        expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(950);
      } finally {
        await client.close();
        await db.close();
        await deleteTestDatabase(db.name);
        await front.close();
      }
    },
  );

  it('refetches everything after the browser evicted the database, then acknowledges the eviction', async () => {
    const token = await fx.user('evicted');
    await fx.seed('work_orders', 3, { owner: 'evicted', prefix: 'w' });
    const dbName = uniqueDbName('evicted');
    const hints = new MemoryStorage();
    const before = fx.app(token, { dbName, evictionHintStorage: hints });
    await before.client.sync();
    await before.client.close();
    await before.db.close();
    await deleteTestDatabase(dbName); // what storage eviction does

    const after = fx.app(token, { dbName, evictionHintStorage: hints });
    expect(await after.db.count('work_orders')).toBe(0);
    expect(after.db.evicted).toBe(true);
    const summary = await after.client.sync();
    expect(summary.plans.map((p) => [p.collection, p.mode, p.reasons])).toEqual([
      ['service_types', 'full', ['evicted', 'first-sync']],
      ['parts', 'full', ['evicted', 'first-sync']],
      ['work_orders', 'red', ['evicted', 'first-sync']],
      ['customers', 'red', ['evicted', 'first-sync']],
    ]);
    expect(after.db.evicted).toBe(false);
    expect(await localState(after.db, 'work_orders')).toEqual(
      await serverState(fx.server, 'work_orders', 'evicted'),
    );
  });
});
