import type { ServerOptions } from '../../server/config.js';
import { serverSchemaTemplate } from '../../server/start-server.js';
import type { HintStorage } from '../../src/db/eviction-hint.js';
import { createSyncClient, type SyncClient } from '../../src/sync/sync-client.js';
import type { SyncClientOptions } from '../../src/sync/sync-options.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import type { VersionSpec } from '../../src/upversion/schema-types.js';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { FaultTransport } from './fault-transport.js';
import {
  deleteTestDatabase,
  openTestDatabase,
  type TestDatabase,
  type TestStores,
  uniqueDbName,
} from './test-database.js';

/** The reference server's collections used by the sync tests. */
export const testCollections: NonNullable<ServerOptions['collections']> = [
  { name: 'service_types', scope: 'shared', readOnly: true },
  { name: 'parts', scope: 'shared', readOnly: false },
  { name: 'work_orders', scope: 'user', readOnly: false },
  { name: 'customers', scope: 'user', readOnly: false },
];

/** The matching local stores. */
export const testStores: TestStores = {
  service_types: { kind: 'lookup' },
  parts: { kind: 'lookup' },
  work_orders: { kind: 'transactional' },
  customers: { kind: 'transactional' },
};

/** One app installation: its database, its transport (with faults) and its client. */
export interface TestApp {
  readonly db: TestDatabase;
  readonly transport: FaultTransport;
  readonly client: SyncClient;
}

/** A server plus helpers to create users and app installations; `close()` cleans everything up. */
export interface SyncFixture {
  readonly server: TestServer;
  /** Creates a user and returns its token. */
  user(name: string): Promise<string>;
  /** An app installation on database `dbName` (a new one by default; the same name = a reload or another tab). */
  app(
    token: string,
    options?: {
      dbName?: string;
      stores?: TestStores;
      /** The database's declared versions (default: one version of `stores`). */
      versions?: readonly VersionSpec[];
      /** Where the handle remembers that the database existed (for eviction tests). Default: nowhere. */
      evictionHintStorage?: HintStorage;
      client?: Partial<Omit<SyncClientOptions, 'database' | 'transport'>>;
    },
  ): TestApp;
  /** Seeds `count` records `prefix000…` into a collection as the server. */
  seed(
    collection: string,
    count: number,
    options?: { owner?: string; prefix?: string; value?: (i: number) => object },
  ): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the reference server on 127.0.0.1 (PGlite, or PostgreSQL with DATABASE_URL) for one test file. */
export async function startSyncFixture(options: ServerOptions = {}): Promise<SyncFixture> {
  const server = await withoutWindowGlobal(() =>
    startTestServer({ collections: testCollections, ...options }),
  );
  const apps: TestApp[] = [];
  const names = new Set<string>();
  return {
    server,
    async user(name) {
      return (await server.admin.createUser(name)).token;
    },
    app(token, { dbName, stores = testStores, versions, evictionHintStorage, client = {} } = {}) {
      const name = dbName ?? uniqueDbName('sync');
      names.add(name);
      const db = openTestDatabase(name, stores, versions, evictionHintStorage ?? null);
      const transport = new FaultTransport(
        createHttpTransport({
          baseUrl: server.url,
          schemaVersion: db.version,
          getToken: () => token,
          retry: { requestRetries: 0 },
        }),
      );
      const syncClient = createSyncClient({
        database: db,
        transport,
        locks: null,
        windowSize: 20,
        ...client,
      });
      const app = { db, transport, client: syncClient };
      apps.push(app);
      return app;
    },
    async seed(
      collection,
      count,
      { owner, prefix = 'r', value = (i: number) => ({ name: `${prefix}${i}`, n: i }) } = {},
    ) {
      const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
      for (const [i, id] of ids.entries()) {
        await server.admin.putRecord(collection, id, value(i) as Record<string, unknown>, owner);
      }
      return ids;
    },
    async close() {
      for (const app of apps) {
        await app.client.close();
        await app.db.close();
      }
      for (const name of names) await deleteTestDatabase(name);
      await server.close();
    },
  };
}

/** The server's alive records of a collection as `{ id → value }`, the id stamped in as the client stores it. */
export async function serverState(
  server: TestServer,
  collection: string,
  owner?: string,
): Promise<Record<string, unknown>> {
  const { rows } = await server.db.query<{ id: string; value: Record<string, unknown> }>(
    `SELECT id, value FROM records WHERE collection = $1 AND owner = $2 AND NOT deleted ORDER BY id`,
    [collection, owner ?? ''],
  );
  return Object.fromEntries(rows.map((r) => [r.id, { ...r.value, id: r.id }]));
}

/** A local store as `{ id → value }` without the revision field, comparable with {@link serverState}. */
export async function localState(
  db: TestDatabase,
  store: string,
  keyPath = 'id',
  revField = '_rev',
): Promise<Record<string, unknown>> {
  const records = await db.all(store);
  return Object.fromEntries(
    records.map((r) => {
      const { [revField]: _rev, ...rest } = r;
      return [String(r[keyPath]), rest];
    }),
  );
}

/**
 * The indexeddbshim setup defines `window` (the shim wants it), which makes PGlite believe it runs in
 * a browser and look for `location`. The server starts with `window` hidden; the shim captured what
 * it needs when it was installed.
 */
export async function withoutWindowGlobal<T>(start: () => Promise<T>): Promise<T> {
  const g = globalThis as { window?: unknown };
  const saved = Object.getOwnPropertyDescriptor(g, 'window');
  if (saved === undefined) return start();
  delete g.window;
  try {
    return await start();
  } finally {
    Object.defineProperty(g, 'window', saved);
  }
}

/**
 * Makes sure the reference server's database template (made once per process, several seconds, or
 * loaded from the one the test run made) is ready before tests that each start their own server:
 * call it in `beforeAll`, whose time limit is longer than a test's. On PostgreSQL (`DATABASE_URL`)
 * the servers use no template.
 */
export async function warmServerTemplate(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  await withoutWindowGlobal(() => serverSchemaTemplate());
}
