import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../../test/transport/reference-server.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { PushRequest } from '../protocol/messages.js';
import { createHttpTransport } from './http-transport.js';
import type {
  GetToken,
  ServerEvent,
  ServerEventSource,
  SyncTransport,
  TransportLogEntry,
} from './sync-transport.js';
import { createWebSocketTransport, type WebSocketSyncTransport } from './web-socket-transport.js';

let server: TestServer;
const opened: WebSocketSyncTransport[] = [];

beforeAll(async () => {
  server = await startTestServer({ schemaVersions: { min: 2, minWritable: 3, max: 5 } });
});
afterAll(async () => {
  for (const transport of opened) transport.close();
  await server?.close();
});

const kinds = {
  http: (getToken: GetToken, schemaVersion = 3, logger?: (e: TransportLogEntry) => void) =>
    createHttpTransport({
      baseUrl: server.url,
      schemaVersion,
      getToken,
      retry: { requestRetries: 1, initialMs: 10 },
      ...(logger === undefined ? {} : { logger }),
    }),
  websocket: (getToken: GetToken, schemaVersion = 3, logger?: (e: TransportLogEntry) => void) => {
    const transport = createWebSocketTransport({
      baseUrl: server.url,
      schemaVersion,
      getToken,
      WebSocket,
      retry: { requestRetries: 1 },
      ...(logger === undefined ? {} : { logger }),
    });
    opened.push(transport);
    return transport;
  },
} satisfies Record<string, (getToken: GetToken, schemaVersion?: number) => SyncTransport & ServerEventSource>;

describe
  .runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')
  .each(Object.keys(kinds) as (keyof typeof kinds)[])('%s transport against the reference server', (kind) => {
  const make = kinds[kind];
  let n = 0;
  const nextId = () => `${kind}-${++n}`;

  it('pushes a record and pulls it back, then pages changes from the checkpoint', async () => {
    const transport = make(() => server.token);
    const id = nextId();
    const push: PushRequest = {
      clientId: `client-${id}`,
      mutations: [
        {
          mutationId: 1,
          collection: 'work_orders',
          id,
          op: 'put',
          baseRev: null,
          value: { title: 'Fix pump' },
        },
      ],
    };
    const pushed = await transport.push(push);
    expect(pushed.results).toEqual([{ mutationId: 1, status: 'applied', rev: expect.any(String) }]);
    // A retried push (lost answer) is answered from the stored result, not applied twice.
    expect(await transport.push(push)).toEqual(pushed);

    let checkpoint: string | null = null;
    const seen = new Map<string, unknown>();
    for (;;) {
      const page = await transport.pull({ collection: 'work_orders', checkpoint, windowSize: 2 });
      for (const change of page.changes) seen.set(change.id, change.op === 'put' ? change.value : null);
      checkpoint = page.checkpoint;
      if (!page.moreAvailable) break;
    }
    expect(seen.get(id)).toEqual({ title: 'Fix pump' });

    await server.server.admin.putRecord('work_orders', id, { title: 'Fix pump (server)' }, server.userId);
    const next = await transport.pull({ collection: 'work_orders', checkpoint, windowSize: 10 });
    expect(next.mode).toBe('changes');
    expect(next.changes).toEqual([
      { id, rev: expect.any(String), op: 'put', value: { title: 'Fix pump (server)' } },
    ]);
  });

  it('refreshes a refused token once and carries on; a refused refresh is an AuthError with no token in it', async () => {
    const unknown = 'never-issued-token-3bd91f';
    const page = { collection: 'work_orders', checkpoint: null, windowSize: 1 };
    const calls: boolean[] = [];
    const logs: TransportLogEntry[] = [];
    const stale = make(
      ({ forceRefresh }) => {
        calls.push(forceRefresh);
        return forceRefresh ? server.token : unknown;
      },
      3,
      (entry) => logs.push(entry),
    );
    await expect(stale.pull(page)).resolves.toMatchObject({ collection: 'work_orders' });
    expect(calls).toEqual([false, true]);
    expect(logs.map((entry) => entry.event)).toContain('auth-refresh');

    const hopeless = make(
      () => unknown,
      3,
      (entry) => logs.push(entry),
    );
    const error = await hopeless.pull(page).catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'AUTH_FAILED')).toBe(true);
    expect(error).toMatchObject({ refreshed: true });
    const everything = inspect([error, logs], { depth: 12, showHidden: true }) + JSON.stringify(logs);
    expect(everything).not.toContain(unknown);
    expect(everything).not.toContain(server.token);
    expect(JSON.stringify(server.logs)).not.toContain(unknown);
  });

  it('answers an expired checkpoint with ResetRequiredError', async () => {
    const transport = make(() => server.token);
    const id = nextId();
    await server.server.admin.putRecord('customers', id, { name: 'Ada' }, server.userId);
    const first = await transport.pull({ collection: 'customers', checkpoint: null, windowSize: 1000 });
    await server.server.admin.deleteRecord('customers', id, server.userId);
    await server.server.admin.compactTombstones({ olderThanMs: -60_000 });
    const error = await transport
      .pull({ collection: 'customers', checkpoint: first.checkpoint, windowSize: 10 })
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'RESET_REQUIRED') && error.collection).toBe('customers');
  });

  it('tells an old app it must upgrade, with what it may still do, and a too-new app to retry later', async () => {
    const push: PushRequest = {
      clientId: `client-${nextId()}`,
      mutations: [
        { mutationId: 1, collection: 'customers', id: nextId(), op: 'put', baseRev: null, value: {} },
      ],
    };
    const readOnly = make(() => server.token, 2);
    await expect(
      readOnly.pull({ collection: 'customers', checkpoint: null, windowSize: 1 }),
    ).resolves.toBeDefined();
    const refused = await readOnly.push(push).catch((e: unknown) => e);
    expect(isIdbSyncError(refused, 'UPGRADE_REQUIRED')).toBe(true);
    expect(refused).toMatchObject({ schemaVersion: 2, access: 'read-only' });

    const tooOld = await make(() => server.token, 1)
      .pull({ collection: 'customers', checkpoint: null, windowSize: 1 })
      .catch((e: unknown) => e);
    expect(isIdbSyncError(tooOld, 'UPGRADE_REQUIRED')).toBe(true);

    const tooNew = await make(() => server.token, 6)
      .pull({ collection: 'customers', checkpoint: null, windowSize: 1 })
      .catch((e: unknown) => e);
    expect(isIdbSyncError(tooNew, 'REQUEST_REJECTED')).toBe(true);
    expect(tooNew).toMatchObject({ serverCode: 'SCHEMA_VERSION_TOO_NEW', retryable: true });
  });

  it('rejects a push to a read-only collection per mutation and an unknown collection as a whole', async () => {
    const transport = make(() => server.token);
    const result = await transport.push({
      clientId: `client-${nextId()}`,
      mutations: [
        { mutationId: 1, collection: 'service_types', id: 'x', op: 'put', baseRev: null, value: {} },
      ],
    });
    expect(result.results[0]).toMatchObject({ status: 'rejected', reason: 'read-only' });
    const unknown = await transport
      .pull({ collection: 'no_such_thing', checkpoint: null, windowSize: 1 })
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'REQUEST_REJECTED', serverCode: 'UNKNOWN_COLLECTION' });
  });

  it('streams a poke when another client of the same user pushes', async () => {
    const listening = make(() => server.token);
    const events: ServerEvent[] = [];
    let resolveOpen!: () => void;
    const opened = new Promise<void>((resolve) => {
      resolveOpen = resolve;
    });
    let resolvePoke!: () => void;
    const poked = new Promise<void>((resolve) => {
      resolvePoke = resolve;
    });
    const subscription = listening.events().subscribe((event) => {
      events.push(event);
      if (event.type === 'open') resolveOpen();
      if (event.type === 'poke') resolvePoke();
    });
    await opened;
    const other = make(() => server.token);
    await other.push({
      clientId: `client-${nextId()}`,
      mutations: [
        { mutationId: 1, collection: 'work_orders', id: nextId(), op: 'put', baseRev: null, value: {} },
      ],
    });
    await poked;
    subscription.unsubscribe();
    expect(events).toContainEqual({
      type: 'poke',
      poke: { collection: 'work_orders', seq: expect.any(Number) },
    });
  });
});
