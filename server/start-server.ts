import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminApi } from './admin/admin-api.js';
import { defaultCollections, type ServerOptions } from './config.js';
import { createInternalSyncServer } from './create-sync-server.js';
import type { Database } from './db/database.js';
import type { SchemaStatus } from './schema/schema-manager.js';
import { pgliteStorage } from './storage/pglite-storage.js';
import { postgresStorage } from './storage/postgres-storage.js';
import { databaseStorage, type SyncStorage } from './storage/sync-storage.js';
import type { ResolvedOptions } from './sync/runtime.js';

export { resolveOptions } from './resolve-options.js';

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  /** The port listened on (the one chosen when asked for port 0). */
  readonly port: number;
  /** Server-side operations: users, tokens, edits, deletes, compaction. */
  readonly admin: AdminApi;
  /** The database (for tests that seed or inspect with SQL). */
  readonly db: Database;
  /** The options in force, every default filled in. */
  readonly options: ResolvedOptions;
  /** Schema status at start (after any automatic install/update). */
  readonly schema: SchemaStatus;
  /** Open SSE streams and WebSocket sessions (tests check that clients clean up). */
  connections(): { sse: number; ws: number };
  /** Ends streams and sockets, stops listening and closes the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a standalone server: {@link createSyncServer} mounted on its own `node:http` server on
 * `host:port`, on PostgreSQL (`databaseUrl`), PGlite (`dataDir`, or in memory) or an already open
 * `database`. Used by `npm run server` and the tests; defaults to the demo's collections.
 *
 * @example
 * const server = await startServer({ port: 0 });
 * const { token } = await server.admin.createUser('alice');
 * // … fetch(`${server.url}/v1/pull`, …)
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { port = 0, host = '127.0.0.1', dataDir, databaseUrl, pgSchema, database, ...rest } = options;
  const sync = await createInternalSyncServer({
    ...rest,
    storage: storageFor({ dataDir, databaseUrl, pgSchema, database }),
    collections: rest.collections ?? defaultCollections,
  });
  const server: Server = createServer(sync.nodeHandler);
  const detach = sync.attach(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    detach();
    await sync.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    admin: sync.admin,
    db: sync.db,
    options: sync.runtime.options,
    schema: sync.schema,
    connections: () => sync.connections(),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Ends SSE streams and sockets first, so the server's close does not wait for them.
        const closed = sync.close();
        server.closeAllConnections();
        await stopped;
        await closed;
      })();
      return closing;
    },
  };
}

/** The storage `ServerOptions` point at: an open `database`, PostgreSQL (`databaseUrl`) or PGlite. */
export function storageFor(
  options: { [K in 'dataDir' | 'databaseUrl' | 'pgSchema' | 'database']?: ServerOptions[K] | undefined },
): SyncStorage {
  const { dataDir, databaseUrl, pgSchema, database } = options;
  if (database !== undefined) return databaseStorage(database);
  if (databaseUrl !== undefined && databaseUrl !== '') {
    return postgresStorage({
      connectionString: databaseUrl,
      ...(pgSchema === undefined ? {} : { schema: pgSchema }),
    });
  }
  return pgliteStorage(dataDir === undefined ? {} : { dataDir });
}

/**
 * A dump of an in-memory PGlite with the latest schema, made once per process (or preset, see
 * `presetPgliteTemplate`): cloning it is ~5× faster than initdb and the migrations.
 */
export async function serverSchemaTemplate(): Promise<Blob | File> {
  return (await import('./db/pglite-database.js')).serverSchemaTemplate();
}
