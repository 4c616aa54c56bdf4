// The examples of docs/sync.md (once the README's "Sync" section), run as written against the
// reference server (unique database name, the server's URL and a token from the test fixture).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SyncFixture, startSyncFixture } from '../../test/sync/sync-fixture.js';
import { uniqueDbName } from '../../test/sync/test-database.js';
import {
  type Conflict,
  createSyncClient,
  type DBSchema,
  defineDatabase,
  isIdbSyncError,
  lookupTokens,
  searchLookup,
} from '../index.js';

interface AppSchema extends DBSchema {
  service_types: { key: string; value: { id: string; name: string } };
  parts: { key: string; value: { id: string; name: string } };
  work_orders: {
    key: string;
    value: { id: string; title: string; status: string; qty: number; updatedAt: string };
  };
  customers: { key: string; value: { id: string; name: string; note?: string } };
}

let fx: SyncFixture;
let baseUrl: string;
let token: string;
beforeAll(async () => {
  fx = await startSyncFixture();
  baseUrl = fx.server.url;
  token = await fx.user('readme');
  await fx.seed('service_types', 30, { prefix: 'st' });
  await fx.seed('work_orders', 3, {
    owner: 'readme',
    prefix: 'wo',
    value: (i) => ({ title: `order ${i}`, status: 'open', qty: 1, updatedAt: '2026-01-01T00:00:00Z' }),
  });
});
afterAll(() => fx?.close());

it('runs the README sync examples', async () => {
  const notify = (_message: string) => undefined;
  // --- README: setup
  const appDb = defineDatabase<AppSchema>({
    name: uniqueDbName('field-app'),
    versions: [
      {
        version: 1,
        stores: {
          service_types: { keyPath: 'id', kind: 'lookup' },
          parts: { keyPath: 'id', kind: 'lookup' },
          work_orders: { keyPath: 'id', kind: 'transactional' },
          customers: { keyPath: 'id', kind: 'transactional' },
        },
      },
    ],
  });
  const client = createSyncClient({
    database: appDb,
    url: baseUrl,
    getToken: () => token,
    windowSize: 500,
    collections: {
      service_types: {},
      parts: {},
      work_orders: { conflicts: { kind: 'last-write-wins', field: 'updatedAt' } },
      customers: {
        conflicts: {
          kind: 'custom',
          name: 'keepBothNotes',
          resolve: async ({ local, remote }: Conflict) => {
            const l = local as AppSchema['customers']['value'] | null;
            const r = remote as AppSchema['customers']['value'] | null;
            if (l === null || r === null) return r;
            return { ...r, note: [r.note, l.note].filter(Boolean).join(' / ') };
          },
        },
      },
    },
  });

  // --- README: first sync, then incremental
  const first = await client.sync();
  // first.plans: every collection `full` (lookup) or `red` (transactional), reason `first-sync`
  await client.sync(); // pulls only what changed since the saved checkpoints

  // --- README: local writes
  await appDb.put('work_orders', {
    id: 'wo-1',
    title: 'Replace pump',
    status: 'open',
    qty: 1,
    updatedAt: new Date().toISOString(),
  });
  await appDb.delete('work_orders', 'wo000');
  const pushed = await client.sync();
  // pushed.push: { sent: 2, applied: 2, conflicts: 0, rejected: 0 }

  // --- README: forced resyncs
  await client.sync({ full: ['service_types'] }); // old records stay readable until the new set is complete
  const red = await client.sync({ red: ['work_orders'] }); // push, clear, refetch
  if (red.plans.some((p) => p.mode === 'waiting')) {
    // offline: nothing was dropped; the request is kept and runs with the next successful run
  }

  // --- README: conflicts and rejections
  client.conflicts$.subscribe((c) => notify(`${c.store} ${c.id}: ${c.rule}`));
  client.errors$.subscribe((e) => {
    if (isIdbSyncError(e, 'MUTATION_REJECTED')) notify(`rolled back ${e.store} ${e.id}: ${e.reason}`);
  });
  const log = await client.conflictLog();
  await client.clearConflictLog();

  // --- README: live sync across tabs
  client.connection$.subscribe((kind) => notify(`hearing changes over ${kind}`)); // 'websocket' | 'sse' | 'polling' | 'offline'
  await client.start(); // this tab competes for leadership; the leader connects and syncs now, on pokes and after writes
  await client.whenIdle();
  await client.close(); // closes sockets, streams, timers and listeners

  // Checks (not in the README).
  expect(first.collections.find((c) => c.collection === 'service_types')?.fetch).toBe(30);
  expect(pushed.push.applied).toBe(2);
  expect(red.plans.find((p) => p.collection === 'work_orders')).toMatchObject({
    mode: 'red',
    reasons: ['requested'],
  });
  expect(log).toEqual([]);
  expect(await appDb.get('work_orders', 'wo-1')).toMatchObject({ title: 'Replace pump' });
  expect(await appDb.get('work_orders', 'wo000')).toBeUndefined();
  await appDb.close();
});

it('runs the README conflict strategy examples', async () => {
  // Each strategy decides a conflict on work order wo001: edited locally while the server changed it.
  const strategies = [
    'server-wins',
    'client-wins',
    { kind: 'last-write-wins', field: 'updatedAt', tie: 'server' },
    { kind: 'merge', tie: 'client' },
    async (c: Conflict) => c.remote,
  ] as const;
  const rules: string[] = [];
  for (const [i, strategy] of strategies.entries()) {
    const owner = `strategy${i}`;
    const userToken = await fx.user(owner);
    await fx.server.admin.putRecord(
      'work_orders',
      'wo001',
      { title: 'base', status: 'open', qty: 1, updatedAt: '2026-01-01' },
      owner,
    );
    const appDb = defineDatabase<Pick<AppSchema, 'work_orders'>>({
      name: uniqueDbName('strategies'),
      versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
    });
    const client = createSyncClient({
      database: appDb,
      url: baseUrl,
      getToken: () => userToken,
      collections: { work_orders: { conflicts: strategy as never } },
    });
    await client.sync();
    await appDb.put('work_orders', {
      id: 'wo001',
      title: 'mine',
      status: 'open',
      qty: 2,
      updatedAt: '2026-03-01',
    });
    await fx.server.admin.putRecord(
      'work_orders',
      'wo001',
      { title: 'theirs', status: 'done', qty: 1, updatedAt: '2026-02-01' },
      owner,
    );
    await client.sync();
    const [entry] = await client.conflictLog();
    rules.push(entry?.rule ?? 'none');
    await client.close();
    await appDb.close();
  }
  expect(rules).toEqual([
    'server-wins',
    'client-wins',
    'last-write-wins:client-newer',
    'merge:tie-client',
    'custom:anonymous',
  ]);
});

interface CatalogSchema extends DBSchema {
  service_types: {
    key: string;
    value: { id: string; code: string; name: string; tokens?: string[] };
    indexes: { byToken: string };
  };
}

it('runs the README derived-fields example', async () => {
  const catalogDb = defineDatabase<CatalogSchema>({
    name: uniqueDbName('catalog'),
    versions: [
      {
        version: 1,
        stores: {
          service_types: {
            keyPath: 'id',
            kind: 'lookup',
            indexes: { byToken: { keyPath: 'tokens', multiEntry: true } },
          },
        },
      },
    ],
  });
  await fx.server.admin.putRecord('service_types', 'st-pump', { code: 'P-1', name: 'Pump repair' });
  // --- README: derived fields
  const client = createSyncClient({
    database: catalogDb,
    url: baseUrl,
    getToken: () => token,
    collections: {
      service_types: {
        // Pure and synchronous: it runs inside the page's IndexedDB transaction.
        fromServer: (st) => ({ ...st, tokens: lookupTokens([st.code, st.name]) }),
        // The server never sees the derived field.
        toServer: ({ tokens: _derived, ...rest }) => rest,
      },
    },
  });
  await client.sync();
  const page = await searchLookup(catalogDb, 'service_types', { index: 'byToken', text: 'pump rep' });
  // --- end
  expect(page.items.map((st) => st.id)).toEqual(['st-pump']);
  expect(page.items[0]?.tokens).toContain('rep');
  await client.close();
  await catalogDb.close();
});
