import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncClient } from '../../src/sync/sync-client.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import { type SyncFixture, startSyncFixture, testStores } from '../sync/sync-fixture.js';
import { openTestDatabase, uniqueDbName } from '../sync/test-database.js';
import { type Mangler, type ManglingProxy, startManglingProxy } from './support/mangling-proxy.js';

let fx: SyncFixture;
let proxy: ManglingProxy;
beforeAll(async () => {
  fx = await startSyncFixture();
  proxy = await startManglingProxy(fx.server.url);
});
afterAll(async () => {
  await proxy?.close();
  await fx?.close();
});

let users = 0;

/**
 * Every object store of the database, app and SDK stores alike, serialized; but the kept server
 * capabilities, which a failed run forgets on purpose (the next run asks the server again).
 */
async function snapshot(db: { idb(): Promise<unknown> }): Promise<string> {
  const connection = (await db.idb()) as {
    objectStoreNames: ArrayLike<string>;
    getAll(store: string): Promise<{ key?: unknown }[]>;
  };
  const out: Record<string, unknown[]> = {};
  for (const name of Array.from(connection.objectStoreNames)) {
    const records = await connection.getAll(name);
    out[name] = name === '_sync' ? records.filter((r) => r.key !== 'capabilities') : records;
  }
  return JSON.stringify(out);
}

/**
 * A client synced once through the proxy, with server changes waiting, so a correct answer would write records and move checkpoints.
 */
async function clientWithChangesWaiting() {
  users += 1;
  const owner = `bad${users}`;
  const token = await fx.user(owner);
  await fx.seed('work_orders', 4, { owner, prefix: `${owner}-w` });
  const db = openTestDatabase(uniqueDbName('bad'), testStores);
  const client = createSyncClient({
    database: db,
    transport: createHttpTransport({
      baseUrl: proxy.url,
      schemaVersion: db.version,
      getToken: () => token,
      retry: { requestRetries: 0 },
    }),
    collections: { work_orders: {} },
    locks: null,
    autoPush: false,
    windowSize: 3,
  });
  expect((await client.sync()).outcome).toBe('ok');
  await fx.server.admin.putRecord('work_orders', `${owner}-w000`, { title: 'edited on the server' }, owner);
  await fx.server.admin.putRecord('work_orders', `${owner}-new`, { title: 'created on the server' }, owner);
  return { owner, db, client };
}

const pulls =
  (
    rewrite: (body: Record<string, unknown>, raw: string) => { status?: number; type?: string; body: string },
  ) =>
  (): Mangler =>
  (response, path) => {
    if (path !== '/v1/pull' || response.status !== 200) return response;
    const out = rewrite(JSON.parse(response.body) as Record<string, unknown>, response.body);
    return { status: out.status ?? 200, contentType: out.type ?? 'application/json', body: out.body };
  };

const cases: { name: string; code: string; mangle: () => Mangler }[] = [
  {
    name: 'malformed JSON (a truncated body)',
    code: 'INVALID_RESPONSE',
    mangle: pulls((_, raw) => ({ body: raw.slice(0, raw.length - 7) })),
  },
  {
    name: 'a page without its checkpoint',
    code: 'INVALID_RESPONSE',
    mangle: pulls(({ checkpoint: _, ...rest }) => ({ body: JSON.stringify(rest) })),
  },
  {
    name: 'wrong types (moreAvailable as a string, a change without rev)',
    code: 'INVALID_RESPONSE',
    mangle: pulls((page) => ({
      body: JSON.stringify({
        ...page,
        moreAvailable: 'no',
        changes: (page['changes'] as { rev?: string }[]).map(({ rev: _, ...c }) => c),
      }),
    })),
  },
  {
    name: 'an oversized page (more changes than the window asked for)',
    code: 'INVALID_RESPONSE',
    mangle: pulls((page) => {
      const changes = page['changes'] as { id: string }[];
      const padded = Array.from({ length: 10 }, (_, i) => ({ ...changes[0]!, id: `pad${i}` }));
      return { body: JSON.stringify({ ...page, changes: [...changes, ...padded] }) };
    }),
  },
  {
    name: 'an HTML error page from a proxy (502)',
    code: 'SERVER_ERROR',
    mangle: pulls(() => ({
      status: 502,
      type: 'text/html',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    })),
  },
  {
    name: 'an HTML login page served as 200 (captive portal)',
    code: 'INVALID_RESPONSE',
    mangle: pulls(() => ({ type: 'text/html', body: '<!doctype html><form action="/login"></form>' })),
  },
];

describe('bad server responses', () => {
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.code} and writes nothing`, async () => {
      const { db, client } = await clientWithChangesWaiting();
      const before = await snapshot(db);
      const errors: unknown[] = [];
      client.errors$.subscribe((e) => errors.push(e));

      proxy.mangle = c.mangle();
      let summary: Awaited<ReturnType<typeof client.sync>>;
      try {
        summary = await client.sync({ collections: ['work_orders'] });
      } finally {
        proxy.mangle = undefined;
      }

      expect(summary.outcome).not.toBe('ok');
      expect(summary.error?.code).toBe(c.code);
      expect(errors).toHaveLength(1);
      expect(await snapshot(db)).toBe(before);
      // The good server then brings everything.
      expect((await client.sync()).outcome).toBe('ok');
      await client.close();
      await db.close();
    });
  }
});

describe('a page whose checkpoint goes backwards', () => {
  // Regression: the client used to apply a replayed stale page, moving records and the checkpoint back.
  it('never regresses records or the checkpoint when a stale page is replayed', async () => {
    const { owner, db, client } = await clientWithChangesWaiting();
    let stale: string | undefined;
    proxy.mangle = (response, path) => {
      if (path === '/v1/pull' && response.status === 200) stale ??= response.body;
      return response;
    };
    expect((await client.sync()).outcome).toBe('ok');
    proxy.mangle = undefined;
    await fx.server.admin.putRecord('work_orders', `${owner}-w000`, { title: 'newer' }, owner);
    expect((await client.sync()).outcome).toBe('ok');
    const before = await snapshot(db);

    proxy.mangle = (response, path) =>
      path === '/v1/pull' && stale !== undefined ? { ...response, body: stale } : response;
    try {
      await client.sync();
    } finally {
      proxy.mangle = undefined;
    }
    expect(await snapshot(db)).toBe(before);
    await client.close();
    await db.close();
  });
});
