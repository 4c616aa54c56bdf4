import { BehaviorSubject, filter, firstValueFrom, ReplaySubject, skip } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startServer } from '../../server/start-server.js';
import { startTestServer, type TestServer } from '../../test/transport/reference-server.js';
import type { PullResponse } from '../protocol/messages.js';
import type { Observable, Subscription } from '../rx/observable.js';
import { createHttpTransport, type HttpSyncTransport } from '../transport/http-transport.js';
import { createWebSocketTransport, type WebSocketSyncTransport } from '../transport/web-socket-transport.js';
import { connectionManager } from './connection-manager.js';
import type { SyncEnvironment } from './environment.js';
import { pollingListener } from './polling-listener.js';
import type { ConnectionKind, PullSignal } from './pull-signal.js';
import { sseListener } from './sse-listener.js';
import { webSocketListener } from './web-socket-listener.js';

/** Records a listener's signals; `next(p)` resolves with the first signal matching `p` from now on. */
class SignalRecorder {
  readonly signals: PullSignal[] = [];
  readonly #replay = new ReplaySubject<PullSignal>();
  readonly #subscription: Subscription;
  constructor(listener: Observable<PullSignal>) {
    this.#subscription = listener.subscribe((signal) => {
      this.signals.push(signal);
      this.#replay.next(signal);
    });
  }
  next(predicate: (signal: PullSignal) => boolean): Promise<PullSignal> {
    return firstValueFrom(this.#replay.pipe(skip(this.signals.length), filter(predicate)));
  }
  stop(): void {
    this.#subscription.unsubscribe();
  }
}

const fastBackoff = { initialMs: 50, maxMs: 200 };

describe.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')(
  'listeners against the reference server',
  () => {
    let test: TestServer;
    let http: HttpSyncTransport;
    let ws: WebSocketSyncTransport;
    let online: BehaviorSubject<boolean>;
    let environment: SyncEnvironment;
    const recorders: SignalRecorder[] = [];
    let mutationId = 0;

    // One server for the file (a PGlite start costs about a second); tests use their own ids.
    beforeAll(async () => {
      test = await startTestServer({ heartbeatMs: 5_000 });
    });
    afterAll(() => test.close());

    beforeEach(() => {
      http = createHttpTransport({ baseUrl: test.url, schemaVersion: 1, getToken: () => test.token });
      ws = createWebSocketTransport({
        baseUrl: test.url,
        schemaVersion: 1,
        getToken: () => test.token,
        WebSocket,
      });
      online = new BehaviorSubject(true);
      environment = { online$: online, visible$: new BehaviorSubject(true) };
    });
    afterEach(() => {
      for (const recorder of recorders.splice(0)) recorder.stop();
      ws.close();
    });

    const record = (listener: Observable<PullSignal>) => {
      const recorder = new SignalRecorder(listener);
      recorders.push(recorder);
      return recorder;
    };

    /** Another client of the same user writes a work order. */
    const otherClientWrites = async (id: string) => {
      mutationId += 1;
      const other = createHttpTransport({ baseUrl: test.url, schemaVersion: 1, getToken: () => test.token });
      const { results } = await other.push({
        clientId: 'other-device',
        mutations: [
          { mutationId, collection: 'work_orders', id, op: 'put', baseRev: null, value: { title: id } },
        ],
      });
      expect(results[0]?.status).toBe('applied');
    };

    const pullAll = async (): Promise<PullResponse['changes']> =>
      (await http.pull({ collection: 'work_orders', checkpoint: null, windowSize: 100 })).changes;

    const listeners = {
      polling: () => pollingListener({ intervalMs: 100, environment }),
      sse: () => sseListener({ transport: http, environment, retry: fastBackoff }),
      websocket: () => webSocketListener({ transport: ws, environment, retry: fastBackoff }),
    };

    it.each(Object.keys(listeners) as (keyof typeof listeners)[])(
      'a change written by another client triggers a pull signal through %s',
      async (kind) => {
        const recorder = record(listeners[kind]());
        expect(recorder.signals[0]?.reason).toBe('start');
        if (kind !== 'polling') await recorder.next((s) => s.reason === 'connected');
        const signal = recorder.next((s) =>
          kind === 'polling' ? s.reason === 'interval' : s.reason === 'poke',
        );
        await otherClientWrites(`wo-${kind}`);
        const heard = await signal;
        if (kind !== 'polling') expect(heard.collections).toEqual(['work_orders']);
        expect((await pullAll()).map((c) => c.id)).toContain(`wo-${kind}`);
      },
    );

    it.each(['sse', 'websocket'] as const)(
      'recovers when the server is killed and restarted mid-stream (%s)',
      async (kind) => {
        const recorder = record(listeners[kind]());
        await recorder.next((s) => s.reason === 'connected');
        const { port } = test.server;
        const reconnected = recorder.next((s) => s.reason === 'connected');
        await test.close();
        // A new server process on the same port (fresh database, same user and token).
        const restarted = await startServer({
          port,
          logger: (entry) => test.logs.push(entry),
          heartbeatMs: 5_000,
        });
        await restarted.admin.createUser(test.userId, { token: test.token });
        const previous = test;
        test = { ...previous, server: restarted, close: () => restarted.close() };
        await reconnected;
        const poke = recorder.next((s) => s.reason === 'poke');
        await otherClientWrites(`after-restart-${kind}`);
        expect((await poke).collections).toEqual(['work_orders']);
      },
    );

    it('going offline closes the stream and stops signals; back online pulls at once and reconnects', async () => {
      const recorder = record(listeners.sse());
      await recorder.next((s) => s.reason === 'connected');
      expect(test.server.connections().sse).toBe(1);
      online.next(false);
      await vi.waitFor(() => expect(test.server.connections().sse).toBe(0));
      const count = recorder.signals.length;
      await otherClientWrites('while-offline');
      const back = recorder.next((s) => s.reason === 'online');
      const connected = recorder.next((s) => s.reason === 'connected');
      expect(recorder.signals).toHaveLength(count);
      online.next(true);
      await back;
      await connected;
      expect(test.server.connections().sse).toBe(1);
    });

    it('offline polling sends nothing: no signal, so no request', async () => {
      const requests = () => test.logs.filter((entry) => entry['event'] === 'request').length;
      const recorder = record(listeners.polling());
      await recorder.next((s) => s.reason === 'interval');
      online.next(false);
      const before = requests();
      const count = recorder.signals.length;
      // Three intervals' worth of time pass, measured by another polling listener that stays online.
      const clock = record(
        pollingListener({
          intervalMs: 100,
          environment: { online$: new BehaviorSubject(true), visible$: new BehaviorSubject(true) },
        }),
      );
      for (let i = 0; i < 3; i += 1) await clock.next((s) => s.reason === 'interval');
      expect(recorder.signals).toHaveLength(count);
      expect(requests()).toBe(before);
    });

    it('the connection manager picks the WebSocket, carries pulls over it, and falls back to SSE when it fails', async () => {
      const manager = connectionManager({
        transport: http,
        webSocket: ws,
        environment,
        retry: fastBackoff,
      });
      const kinds: ConnectionKind[] = [];
      const kindSub = manager.connection$.subscribe((kind) => kinds.push(kind));
      const recorder = record(manager.signals$);
      await recorder.next((s) => s.reason === 'connected' && s.transport === 'websocket');
      await manager.syncTransport.pull({ collection: 'work_orders', checkpoint: null, windowSize: 1 });
      expect(test.logs.some((e) => e['method'] === 'WS' && String(e['path']).endsWith('#pull'))).toBe(true);
      kindSub.unsubscribe();
      recorder.stop();
      // The WebSocket transport keeps its idle socket for the next request until idleTimeoutMs or close().
      expect(test.server.connections().sse).toBe(0);
      ws.close();
      await vi.waitFor(() => expect(test.server.connections().ws).toBe(0));

      // A WebSocket endpoint that refuses every connection: after 3 failures SSE takes over.
      const broken = createWebSocketTransport({
        baseUrl: test.url,
        url: `${test.url.replace('http', 'ws')}/not-the-endpoint`,
        schemaVersion: 1,
        getToken: () => test.token,
        WebSocket,
      });
      const fallback = connectionManager({
        transport: http,
        webSocket: broken,
        environment,
        retry: fastBackoff,
      });
      const fallbackKinds: ConnectionKind[] = [];
      fallback.connection$.subscribe((kind) => fallbackKinds.push(kind));
      const second = record(fallback.signals$);
      await second.next((s) => s.reason === 'connected' && s.transport === 'sse');
      expect(fallbackKinds).toEqual(['offline', 'websocket', 'sse']);
      expect(kinds).toEqual(['offline', 'websocket']);
    });
  },
);
