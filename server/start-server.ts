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
import type { HousekeepingRun } from './sync/housekeeping.js';
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
  /** Ends streams and sockets, stops listening and closes the database at once. Idempotent. */
  close(): Promise<void>;
  /**
   * Graceful shutdown (SIGTERM in the CLI): readiness off (`/ready` answers 503); after
   * `shutdownDelayMs` it stops accepting connections; in-flight requests get up to
   * `shutdownTimeoutMs` to finish; then SSE streams and WebSocket sessions are closed (1001), the
   * remaining connections cut and the database closed. Resolves with whether every request finished.
   */
  shutdown(): Promise<{ drained: boolean }>;
  /** Runs one housekeeping tick now (what the `compactionIntervalMs` timer runs). */
  housekeeping(): Promise<HousekeepingRun>;
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
  const { port = 0, host = '127.0.0.1', dataDir, databaseUrl, pgSchema, database, pool, ...rest } = options;
  const sync = await createInternalSyncServer({
    ...rest,
    storage: storageFor({ dataDir, databaseUrl, pgSchema, database, pool }),
    collections: rest.collections ?? defaultCollections,
  });
  const server: Server = createServer(sync.nodeHandler);
  // Idle keep-alive connections must not keep a draining server open.
  server.keepAliveTimeout = 5000;
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
  const close = () => {
    closing ??= (async () => {
      const stopped = closeHttpServer(server, 1000);
      // Ends SSE streams and sockets first, so the server's close does not wait for them.
      await sync.close();
      await stopped;
    })();
    return closing;
  };
  let shuttingDown: Promise<{ drained: boolean }> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    admin: sync.admin,
    db: sync.db,
    // Where it listens and which database it serves, as `startServer` was given them (a second
    // instance on the same database starts with these).
    options: {
      ...sync.runtime.options,
      port: address.port,
      host,
      dataDir,
      databaseUrl,
      pgSchema,
      database,
      pool,
    },
    schema: sync.schema,
    connections: () => sync.connections(),
    housekeeping: () => sync.housekeeping(),
    close,
    shutdown() {
      shuttingDown ??= (async () => {
        const result = await sync.shutdown({
          // Stop accepting: no new connections; idle keep-alive connections go.
          stopAccepting: () => {
            server.close();
            server.closeIdleConnections();
          },
        });
        await close();
        return result;
      })();
      return shuttingDown;
    },
  };
}

/** The storage `ServerOptions` point at: an open `database`, PostgreSQL (`databaseUrl`) or PGlite. */
export function storageFor(
  options: {
    [K in 'dataDir' | 'databaseUrl' | 'pgSchema' | 'database' | 'pool']?: ServerOptions[K] | undefined;
  },
): SyncStorage {
  const { dataDir, databaseUrl, pgSchema, database, pool } = options;
  if (database !== undefined) return databaseStorage(database);
  if (databaseUrl !== undefined && databaseUrl !== '') {
    return postgresStorage({
      ...pool,
      connectionString: databaseUrl,
      ...(pgSchema === undefined ? {} : { schema: pgSchema }),
    });
  }
  return pgliteStorage(dataDir === undefined ? {} : { dataDir });
}

/**
 * Stops `server` and waits for its connections to end: idle ones are closed as they become idle
 * (an ended SSE stream still has its last bytes to flush), the rest are cut after `graceMs`.
 */
async function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 20);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}

/**
 * A dump of an in-memory PGlite with the latest schema, made once per process (or preset, see
 * `presetPgliteTemplate`): cloning it is ~5× faster than initdb and the migrations.
 */
export async function serverSchemaTemplate(): Promise<Blob | File> {
  return (await import('./db/pglite-database.js')).serverSchemaTemplate();
}
