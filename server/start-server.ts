import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { PROTOCOL_LIMITS } from '../src/protocol/version.js';
import { type AdminApi, createAdminApi } from './admin/admin-api.js';
import { tableAuthenticator } from './auth/tokens.js';
import { defaultCollections, type ServerOptions } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { openPgliteDatabase, pgliteTemplate } from './db/pglite-database.js';
import type { PostgresDatabase } from './db/postgres-database.js';
import { createApp } from './http/app.js';
import { consoleLogger } from './http/request-log.js';
import { SseHub } from './http/sse.js';
import { attachWebSocket } from './http/websocket.js';
import { ChangeBus } from './notify/change-bus.js';
import { startPgNotifier } from './notify/notifier.js';
import { installSchema, type SchemaStatus, schemaStatus, updateSchema } from './schema/schema-manager.js';
import { type HousekeepingRun, runHousekeeping } from './sync/housekeeping.js';
import { type ResolvedOptions, Runtime } from './sync/runtime.js';

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  readonly port: number;
  /** Server-side operations: users, tokens, edits, deletes, compaction. */
  readonly admin: AdminApi;
  /** The database (for tests that seed or inspect with SQL). */
  readonly db: Database;
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

const DAY = 24 * 60 * 60 * 1000;

/** Fills in defaults and checks the options; throws on impossible values. */
export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    // Only the embedded database migrates itself by default (see ServerOptions.autoMigrate).
    autoMigrate:
      options.autoMigrate ??
      (options.database === undefined
        ? options.databaseUrl === undefined || options.databaseUrl === ''
        : options.database.kind === 'pglite'),
    readyTimeoutMs: options.readyTimeoutMs ?? 2000,
    shutdownDelayMs: options.shutdownDelayMs ?? 0,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    authRecheckMs: options.authRecheckMs ?? 60_000,
    maxSessionMs: options.maxSessionMs ?? 24 * 60 * 60 * 1000,
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    maxConnectionsPerUser: options.maxConnectionsPerUser ?? 50,
    collections: options.collections ?? defaultCollections,
    maxWindowSize: options.maxWindowSize ?? 1000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxMutationsPerPush: options.maxMutationsPerPush ?? 500,
    maxValueBytes: options.maxValueBytes ?? 1024 * 1024,
    maxValueDepth: options.maxValueDepth ?? 100,
    maxPageBytes: options.maxPageBytes ?? 4 * 1024 * 1024,
    schemaVersions: options.schemaVersions ?? { min: 1, minWritable: 1, max: Number.MAX_SAFE_INTEGER },
    tombstoneRetentionMs: options.tombstoneRetentionMs ?? 30 * DAY,
    compactionIntervalMs: options.compactionIntervalMs ?? 60 * 60 * 1000,
    mutationResultRetention: options.mutationResultRetention ?? 10_000,
    heartbeatMs: options.heartbeatMs ?? 25_000,
    logger: options.logger ?? consoleLogger,
    database: options.database,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    pgSchema: options.pgSchema,
    adminToken: options.adminToken,
    authenticate: options.authenticate,
    canWrite: options.canWrite,
    pool: options.pool,
    cors: options.cors,
    rateLimit: options.rateLimit,
  };
  const int = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`Option ${name} must be an integer from ${min} to ${max}`);
    }
  };
  int('port', resolved.port, 0, 65535);
  int('maxWindowSize', resolved.maxWindowSize, 1, PROTOCOL_LIMITS.maxWindowSize);
  int('maxMutationsPerPush', resolved.maxMutationsPerPush, 1, PROTOCOL_LIMITS.maxMutationsPerPush);
  int('maxBodyBytes', resolved.maxBodyBytes, 1024, 256 * 1024 * 1024);
  int('heartbeatMs', resolved.heartbeatMs, 10, 3_600_000);
  int('maxValueBytes', resolved.maxValueBytes, 64, 256 * 1024 * 1024);
  int('maxValueDepth', resolved.maxValueDepth, 1, 1000);
  int('maxPageBytes', resolved.maxPageBytes, 1024, 1024 * 1024 * 1024);
  int('readyTimeoutMs', resolved.readyTimeoutMs, 1, 600_000);
  int('shutdownDelayMs', resolved.shutdownDelayMs, 0, 600_000);
  int('shutdownTimeoutMs', resolved.shutdownTimeoutMs, 0, 3_600_000);
  // Timers hold at most 2^31 - 1 ms.
  int('authRecheckMs', resolved.authRecheckMs, 10, 2 ** 31 - 1);
  int('maxSessionMs', resolved.maxSessionMs, 10, 2 ** 31 - 1);
  int('helloTimeoutMs', resolved.helloTimeoutMs, 10, 600_000);
  int('maxConnectionsPerUser', resolved.maxConnectionsPerUser, 1, 1_000_000);
  const rate = resolved.rateLimit;
  if (rate !== undefined && !(rate.requestsPerSecond > 0 && (rate.burst === undefined || rate.burst >= 1))) {
    throw new Error('Option rateLimit needs requestsPerSecond > 0 and burst ≥ 1');
  }
  const { min, minWritable, max } = resolved.schemaVersions;
  if (![min, minWritable, max].every(Number.isSafeInteger) || !(min <= minWritable && minWritable <= max)) {
    throw new Error('Option schemaVersions needs integers with min ≤ minWritable ≤ max');
  }
  const names = new Set<string>();
  for (const c of resolved.collections) {
    if (!PROTOCOL_LIMITS.collectionNamePattern.test(c.name) || names.has(c.name)) {
      throw new Error(`Invalid or duplicate collection name "${c.name}"`);
    }
    names.add(c.name);
  }
  if (resolved.adminToken !== undefined && resolved.adminToken.length < 16) {
    throw new Error('Option adminToken must be at least 16 characters');
  }
  return resolved;
}

/**
 * Starts the reference server: HTTP (`/v1/*`, `/health`, `/admin/*`) and WebSocket (`/v1/ws`) on
 * `host:port`, on PostgreSQL (`databaseUrl`) or PGlite (`dataDir`, or in memory). With
 * `autoMigrate` (the default) the database schema is installed or updated first.
 *
 * @example
 * const server = await startServer({ port: 0 });
 * const { token } = await server.admin.createUser('alice');
 * // … fetch(`${server.url}/v1/pull`, …)
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveOptions(options);
  const db = resolved.database ?? (await openServerDatabase(resolved));
  const closeDb = () => (resolved.database === undefined ? db.close() : Promise.resolve());
  let httpServer: Server | undefined;
  let compaction: NodeJS.Timeout | undefined;
  try {
    let schema = await schemaStatus(db);
    if (resolved.autoMigrate && schema.state === 'none') schema = await installSchema(db);
    else if (resolved.autoMigrate && schema.state.startsWith('update')) schema = await updateSchema(db);

    const bus = new ChangeBus();
    resolved.authenticate ??= tableAuthenticator(db);
    const runtime = new Runtime(db, resolved, bus, resolved.logger);
    const admin = createAdminApi(runtime, db, bus);
    const sse = new SseHub(runtime);
    const app = createApp(runtime, admin, sse);
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    httpServer = server;
    const ws = attachWebSocket(server, runtime);
    // Idle keep-alive connections must not keep a draining server open.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    if (db.kind === 'postgres' && 'listen' in db) {
      runtime.notifier = await startPgNotifier(db as PostgresDatabase, bus, {
        log: runtime.log,
        liveUsers: () => runtime.sessions.users(),
      });
    }
    const housekeeping = () => runHousekeeping(runtime, db);
    if (resolved.compactionIntervalMs > 0) {
      // Every instance ticks; one of them does the work, once per interval (see runHousekeeping).
      const tick = Math.max(1000, Math.min(60_000, Math.floor(resolved.compactionIntervalMs / 4)));
      compaction = setInterval(() => {
        housekeeping().then(
          (run) => {
            if (run.ran) {
              resolved.logger({
                level: 'info',
                msg: `housekeeping: ${run.removed} tombstone(s) compacted`,
                event: 'housekeeping',
                removed: run.removed,
              });
            }
          },
          (error: Error) => {
            resolved.logger({
              level: 'warn',
              msg: `housekeeping failed: ${error.message}`,
              event: 'housekeeping',
            });
          },
        );
      }, tick);
      compaction.unref();
    }
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        clearInterval(compaction);
        ws.closeAll();
        await sse.closeAll();
        await closeHttpServer(server, 1000);
        await runtime.notifier.close();
        await closeDb();
      })();
      return closing;
    };
    let shuttingDown: Promise<{ drained: boolean }> | undefined;
    const log = (msg: string, more: Record<string, unknown> = {}) =>
      runtime.log({ level: 'info', msg, event: 'shutdown', ...more });
    const shutdown = () => {
      shuttingDown ??= (async () => {
        runtime.lifecycle.startDraining();
        log(`shutting down: readiness off, ${runtime.lifecycle.inFlight} request(s) in flight`, {
          inFlight: runtime.lifecycle.inFlight,
        });
        if (resolved.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, resolved.shutdownDelayMs));
        // Stop accepting: no new connections or WebSocket upgrades; idle keep-alive connections go.
        server.close();
        ws.stopAccepting();
        server.closeIdleConnections();
        const drained = await runtime.lifecycle.whenIdle(resolved.shutdownTimeoutMs);
        log(
          drained
            ? 'shutting down: every in-flight request finished'
            : `shutting down: ${runtime.lifecycle.inFlight} request(s) still in flight after ${resolved.shutdownTimeoutMs} ms, cut`,
          { drained },
        );
        await close();
        log('shut down');
        return { drained };
      })();
      return shuttingDown;
    };
    const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
    return {
      url: `http://${host}:${port}`,
      port,
      admin,
      db,
      options: resolved,
      schema,
      connections: () => ({ sse: sse.size, ws: ws.size }),
      close,
      shutdown,
      housekeeping,
    };
  } catch (error) {
    clearInterval(compaction);
    httpServer?.close();
    await closeDb();
    throw error;
  }
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
export function serverSchemaTemplate(): Promise<Blob | File> {
  return pgliteTemplate('server-schema', async () => {
    const db = await openPgliteDatabase({});
    try {
      await installSchema(db);
      return await db.dump();
    } finally {
      await db.close();
    }
  });
}

async function openServerDatabase(o: ResolvedOptions): Promise<Database> {
  const inMemory = (o.databaseUrl === undefined || o.databaseUrl === '') && o.dataDir === undefined;
  if (!inMemory || !o.autoMigrate) {
    return openDatabase({
      ...o,
      pool: {
        ...o.pool,
        onError: (error) =>
          o.logger({ level: 'warn', msg: `database pool: ${error.message}`, event: 'pool-error' }),
      },
    });
  }
  const db = await openPgliteDatabase({ loadDataDir: await serverSchemaTemplate() });
  // Each clone is its own database: its own epoch and checkpoint secret.
  await db.query(`UPDATE meta SET value = $1 WHERE key = 'epoch'`, [randomBytes(16).toString('hex')]);
  await db.query(`UPDATE meta SET value = $1 WHERE key = 'checkpoint_secret'`, [
    randomBytes(32).toString('hex'),
  ]);
  return db;
}
