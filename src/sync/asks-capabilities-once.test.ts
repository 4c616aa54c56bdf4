import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../server/config.js';
import type { Database } from '../../server/db/database.js';
import { openDatabase } from '../../server/db/open-database.js';
import { type RunningServer, startServer } from '../../server/start-server.js';
import { dropSchema } from '../../test/server/test-server.js';
import { testCollections, testStores, withoutWindowGlobal } from '../../test/sync/sync-fixture.js';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  uniqueDbName,
} from '../../test/sync/test-database.js';
import { createHttpTransport } from '../transport/http-transport.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import { createSyncClient, type SyncClient } from './sync-client.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A server that can be upgraded in place: its database (PGlite in memory, or a fresh PostgreSQL
 * schema with DATABASE_URL) outlives each server process, and the next one listens on the same port.
 */
async function upgradableServer(options: ServerOptions) {
  const databaseUrl = process.env.DATABASE_URL;
  const pgSchema = `caps_${randomBytes(5).toString('hex')}`;
  // PGlite must not take the test's IndexedDB polyfill window for a browser.
  const db: Database = await withoutWindowGlobal(() =>
    openDatabase(databaseUrl ? { databaseUrl, pgSchema } : {}),
  );
  if (databaseUrl) cleanups.push(() => dropSchema(databaseUrl, pgSchema));
  cleanups.push(() => db.close());
  const start = (port: number, more: ServerOptions) =>
    withoutWindowGlobal(() =>
      startServer({
        compactionIntervalMs: 0,
        autoMigrate: true,
        logger: () => {},
        port,
        ...options,
        ...more,
        database: db,
      }),
    );
  let server: RunningServer = await start(0, {});
  cleanups.push(() => server.close());
  return {
    get current() {
      return server;
    },
    /** Stops the server and starts the new version on the same database and port. */
    async upgrade(more: ServerOptions) {
      const { port } = server;
      await server.close();
      server = await start(port, more);
    },
  };
}

/** A client on a new database whose transport counts its requests. */
function countingClient(url: string, token: string, collections: readonly string[]) {
  const name = uniqueDbName('caps');
  const db: TestDatabase = openTestDatabase(name, testStores);
  const http = createHttpTransport({
    baseUrl: url,
    schemaVersion: db.version,
    getToken: () => token,
    retry: { requestRetries: 0 },
  });
  const asked = { capabilities: 0, push: 0 };
  const transport: SyncTransport = {
    capabilities: (signal) => {
      asked.capabilities += 1;
      return http.capabilities(signal);
    },
    push: (request, signal) => {
      asked.push += 1;
      return http.push(request, signal);
    },
    pull: (request, signal) => http.pull(request, signal),
  };
  const client: SyncClient = createSyncClient({
    database: db,
    transport,
    locks: null,
    collections: Object.fromEntries(collections.map((c) => [c, {}])),
  });
  cleanups.push(async () => {
    await client.close();
    await db.close();
    await deleteTestDatabase(name);
  });
  return { db, client, asked };
}

describe('capabilities', () => {
  it('are asked on the first sync only, and again after a server upgrade refused a push', async () => {
    const server = await upgradableServer({ collections: testCollections });
    const { token } = await server.current.admin.createUser('caps');
    const { db, client, asked } = countingClient(server.current.url, token, ['work_orders']);

    expect((await client.sync()).outcome).toBe('ok');
    await db.put('work_orders', { id: 'w1', title: 'pushed' });
    expect((await client.sync()).outcome).toBe('ok');
    expect((await client.sync()).outcome).toBe('ok');
    expect(asked).toEqual({ capabilities: 1, push: 1 });

    // The new server makes this app version read-only: the push with the known capabilities is
    // refused, the next run asks again, learns it, and keeps the write without pushing it.
    await server.upgrade({ schemaVersions: { min: 1, minWritable: 2, max: 9 } });
    await db.put('work_orders', { id: 'w2', title: 'kept' });
    const refused = await client.sync();
    expect(refused.outcome).toBe('error');
    expect(refused.error?.code).toBe('UPGRADE_REQUIRED');
    expect(asked).toEqual({ capabilities: 1, push: 2 });
    expect((await client.sync()).outcome).toBe('ok');
    expect(asked).toEqual({ capabilities: 2, push: 2 });
    expect(await client.pendingWrites()).toBe(1);
  });

  it('are asked on every sync while a synced collection is missing on the server, until it is offered', async () => {
    const server = await upgradableServer({
      collections: testCollections.filter((c) => c.name !== 'parts'),
    });
    const { token } = await server.current.admin.createUser('caps-new');
    const { client, asked } = countingClient(server.current.url, token, ['work_orders', 'parts']);
    const first = await client.sync();
    expect(first.plans.find((p) => p.collection === 'parts')?.reasons).toEqual(['not-on-server']);
    await client.sync();
    expect(asked.capabilities).toBe(2);

    await server.upgrade({ collections: testCollections });
    await server.current.admin.putRecord('parts', 'p1', { name: 'new part' });
    const upgraded = await client.sync();
    expect(upgraded.collections.find((c) => c.collection === 'parts')).toMatchObject({
      mode: 'full',
      fetch: 1,
    });
    await client.sync();
    expect(asked.capabilities).toBe(3);
  });
});
