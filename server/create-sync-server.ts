import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { type AdminApi, createAdminApi } from './admin/admin-api.js';
import { tableAuthenticator } from './auth/tokens.js';
import type { CollectionConfig, ServerOptions } from './config.js';
import type { Database } from './db/database.js';
import type { PostgresDatabase } from './db/postgres-database.js';
import { createApp } from './http/app.js';
import { SseHub } from './http/sse.js';
import { attachWebSocket } from './http/websocket.js';
import type { migrate } from './migrate.js';
import { ChangeBus } from './notify/change-bus.js';
import { startPgNotifier } from './notify/notifier.js';
import { resolveOptions } from './resolve-options.js';
import {
  canServe,
  installSchema,
  type SchemaStatus,
  schemaStatus,
  updateSchema,
} from './schema/schema-manager.js';
import type { SyncStorage } from './storage/sync-storage.js';
import { type HousekeepingRun, runHousekeeping } from './sync/housekeeping.js';
import { Runtime } from './sync/runtime.js';

/** Options of {@link createSyncServer}: where the data lives, who the users are, what is synced. */
export interface SyncServerOptions
  extends Omit<
    ServerOptions,
    'port' | 'host' | 'dataDir' | 'databaseUrl' | 'pgSchema' | 'database' | 'collections' | 'pool'
  > {
  /**
   * Where the records, the change log and the server's bookkeeping live: {@link postgresStorage}
   * (with its pool size and timeouts) or {@link pgliteStorage}.
   */
  storage: SyncStorage;
  /**
   * The collections served: name, `scope` (`'user'`: each user has their own records; `'shared'`:
   * one set every user reads) and `readOnly` (pushes rejected; write them with `admin` or an import).
   */
  collections: readonly CollectionConfig[];
  /**
   * Path prefix the endpoints are served under, as the clients see it: with `'/sync'` a client's
   * base URL is `https://host/sync` and it pulls from `/sync/v1/pull`. Default `''` (`/v1/…` at the root).
   */
  basePath?: string;
}

/** A mounted sync server: a fetch handler plus what Node needs for WebSocket. */
export interface SyncServer {
  /**
   * The standard fetch handler (`Request → Response`) for every HTTP endpoint: `/v1/capabilities`,
   * `/v1/pull`, `/v1/push`, `/v1/events` (Server-Sent Events, a streamed response), `/health`
   * (liveness), `/ready` (readiness) and, with `adminToken`, `/admin/*`. Requests outside `basePath`
   * are answered `404 NOT_FOUND`.
   */
  fetch(request: Request): Promise<Response>;
  /**
   * The same as a Node request listener, for `node:http` (`createServer(sync.nodeHandler)`) and
   * Connect-style middleware (`app.use(sync.nodeHandler)` in Express): a request outside `basePath`
   * goes to `next` when given, else gets a 404. Mount it before body parsers, which would consume
   * the request body.
   */
  readonly nodeHandler: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;
  /**
   * Serves the WebSocket endpoint (`${basePath}/v1/ws`) on a Node HTTP server by handling its
   * `upgrade` events; other upgrade paths are left to other listeners (or refused with 404 when
   * there are none). Returns a function that detaches it again.
   */
  attach(server: Server): () => void;
  /** Server-side operations: users and tokens, writes and deletes as the server, compaction. */
  readonly admin: AdminApi;
  /** The database schema's status at start (after any automatic install or update). */
  readonly schema: SchemaStatus;
  /** Open SSE streams and WebSocket sessions. */
  connections(): { sse: number; ws: number };
  /**
   * Graceful shutdown (on SIGTERM): readiness off at once (`/ready` answers 503, answers ask clients
   * to close their connection); after `shutdownDelayMs`, `stopAccepting` is called (close your HTTP
   * server there: `server.close()`) and WebSocket upgrades are refused (503); in-flight requests get
   * up to `shutdownTimeoutMs` to finish; then everything {@link close} does. Resolves with whether
   * every request finished in time. Idempotent.
   */
  shutdown(options?: { stopAccepting?: () => void }): Promise<{ drained: boolean }>;
  /**
   * Ends SSE streams and WebSocket sessions at once, detaches from every server, stops housekeeping
   * and change notifications and closes the storage. The HTTP servers themselves are the caller's
   * to close. Idempotent.
   */
  close(): Promise<void>;
}

/** The server with its database, for code inside this package (tests, `startServer`, the CLI). */
export interface InternalSyncServer extends SyncServer {
  readonly db: Database;
  readonly runtime: Runtime;
  /** Runs one housekeeping tick now (what the `compactionIntervalMs` timer runs). */
  housekeeping(): Promise<HousekeepingRun>;
}

/**
 * Creates a sync server speaking [protocol v1](https://github.com/idb-sync/idb-sync/blob/main/docs/protocol.md)
 * for the collections given, on `storage`, with users resolved by `authenticate`. It opens the
 * storage and, with `autoMigrate` (the default on PGlite only), installs or updates the server's
 * tables and the change capture of app tables first; on PostgreSQL run {@link migrate} once per
 * rollout instead. Several instances may serve one PostgreSQL database: changes made through any of
 * them (push, admin, import) poke the live sessions of all, and housekeeping runs once.
 * Mount `fetch` (or `nodeHandler`) in any HTTP framework and `attach` a Node server for WebSocket.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createSyncServer, postgresStorage } from 'idb-sync/server';
 *
 * const sync = await createSyncServer({
 *   storage: postgresStorage({ connectionString: 'postgres://localhost/app' }),
 *   collections: [{ name: 'work_orders', scope: 'user', readOnly: false }],
 *   authenticate: async (token) => (token === 'secret-token-of-alice' ? { userId: 'alice' } : null),
 * });
 * const server = createServer(sync.nodeHandler);
 * sync.attach(server);
 * server.listen(8787);
 */
export async function createSyncServer(options: SyncServerOptions): Promise<SyncServer> {
  return createInternalSyncServer(options);
}

/** {@link createSyncServer}, also giving the database and runtime to code inside this package. */
export async function createInternalSyncServer(options: SyncServerOptions): Promise<InternalSyncServer> {
  const { storage, basePath = '', ...rest } = options;
  if (basePath !== '' && !/^(\/[\w.~-]+)+$/.test(basePath)) {
    throw new Error(`Option basePath must look like "/sync" (no trailing slash), not "${basePath}"`);
  }
  // Migrations are an explicit step on PostgreSQL, where several instances start at once.
  const resolved = resolveOptions({ ...rest, autoMigrate: rest.autoMigrate ?? storage.kind === 'pglite' });
  const db = await storage.open({ migrate: resolved.autoMigrate, log: resolved.logger });
  const closeDb = () => (storage.owned ? db.close() : Promise.resolve());
  let compaction: NodeJS.Timeout | undefined;
  let runtime: Runtime | undefined;
  try {
    let schema = await schemaStatus(db);
    if (resolved.autoMigrate && schema.state === 'none') schema = await installSchema(db);
    else if (resolved.autoMigrate && schema.state.startsWith('update')) schema = await updateSchema(db);
    // Stores of the app's own tables install their change capture once the server's tables exist.
    if (canServe(schema.state)) {
      for (const collection of resolved.collections) {
        await collection.store?.install?.(db, collection, { migrate: resolved.autoMigrate });
      }
    }

    const bus = new ChangeBus();
    resolved.authenticate ??= tableAuthenticator(db);
    runtime = new Runtime(db, resolved, bus, resolved.logger);
    const rt = runtime;
    if (db.kind === 'postgres' && 'listen' in db) {
      // Changes and revocations committed through other instances.
      runtime.notifier = await startPgNotifier(db as PostgresDatabase, bus, {
        log: runtime.log,
        liveUsers: () => rt.sessions.users(),
      });
    }
    const admin = createAdminApi(runtime, db, bus);
    const sse = new SseHub(runtime);
    const app = createApp(runtime, admin, sse, basePath);
    const fetch = async (request: Request) => app.fetch(request);
    // As any Hono app on Node, this installs @hono/node-server's Request/Response (subclasses of the
    // global ones, compatible) globally: without them, Hono middleware that rebuilds a request from
    // the listener's lightweight one fails.
    const listener = getRequestListener(fetch);
    const attached = new Set<ReturnType<typeof attachWebSocket>>();

    const housekeeping = () => runHousekeeping(rt, db);
    if (resolved.compactionIntervalMs > 0) {
      // Every instance ticks; one of them does the work, once per interval (see runHousekeeping).
      const tick = Math.max(1000, Math.min(60_000, Math.floor(resolved.compactionIntervalMs / 4)));
      compaction = setInterval(() => {
        housekeeping().then(
          (run) => {
            if (run.ran) {
              rt.log({
                level: 'info',
                msg: `housekeeping: ${run.removed} tombstone(s) compacted`,
                event: 'housekeeping',
                removed: run.removed,
              });
            }
          },
          (error: Error) =>
            rt.log({ level: 'warn', msg: `housekeeping failed: ${error.message}`, event: 'housekeeping' }),
        );
      }, tick);
      compaction.unref();
    }

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        clearInterval(compaction);
        for (const ws of attached) ws.closeAll();
        attached.clear();
        await sse.closeAll();
        await rt.notifier.close();
        await closeDb();
      })();
      return closing;
    };
    let shuttingDown: Promise<{ drained: boolean }> | undefined;
    const log = (msg: string, more: Record<string, unknown> = {}) =>
      rt.log({ level: 'info', msg, event: 'shutdown', ...more });
    return {
      db,
      runtime,
      admin,
      schema,
      housekeeping,
      fetch,
      nodeHandler(req, res, next) {
        if (next !== undefined && !isUnder(req.url ?? '/', basePath)) {
          next();
          return;
        }
        listener(req, res).catch((error: unknown) => next?.(error));
      },
      attach(server) {
        const ws = attachWebSocket(server, rt, `${basePath}/v1/ws`);
        attached.add(ws);
        return () => {
          attached.delete(ws);
          ws.closeAll();
        };
      },
      connections: () => ({
        sse: sse.size,
        ws: [...attached].reduce((n, ws) => n + ws.size, 0),
      }),
      shutdown(options = {}) {
        shuttingDown ??= (async () => {
          const { lifecycle } = rt;
          lifecycle.startDraining();
          log(`shutting down: readiness off, ${lifecycle.inFlight} request(s) in flight`, {
            inFlight: lifecycle.inFlight,
          });
          if (resolved.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, resolved.shutdownDelayMs));
          options.stopAccepting?.();
          for (const ws of attached) ws.stopAccepting();
          const drained = await lifecycle.whenIdle(resolved.shutdownTimeoutMs);
          log(
            drained
              ? 'shutting down: every in-flight request finished'
              : `shutting down: ${lifecycle.inFlight} request(s) still in flight after ${resolved.shutdownTimeoutMs} ms, cut`,
            { drained },
          );
          await close();
          log('shut down');
          return { drained };
        })();
        return shuttingDown;
      },
      close,
    };
  } catch (error) {
    clearInterval(compaction);
    await runtime?.notifier.close();
    await closeDb();
    throw error;
  }
}

/** True when the path of `url` is `basePath` or below it. */
function isUnder(url: string, basePath: string): boolean {
  if (basePath === '') return true;
  const path = url.split('?', 1)[0]!;
  return path === basePath || path.startsWith(`${basePath}/`);
}
