// Node side: the reference server for a scenario, on an in-memory PGlite that outlives the HTTP
// server, so a scenario can take the server down and bring it back on the same port with its data.
import type { Database } from '../../../server/db/database.js';
import { openPgliteDatabase } from '../../../server/db/pglite-database.js';
import { seedCustomers, seedServiceTypes, seedWorkOrders } from '../../../server/seed.js';
import { type RunningServer, startServer } from '../../../server/start-server.js';
import { proxiedPath } from '../../harness/static-server.js';

/** The collections the scenario app syncs. */
const collections = [
  { name: 'service_types', scope: 'shared', readOnly: true },
  { name: 'parts', scope: 'shared', readOnly: true },
  { name: 'work_orders', scope: 'user', readOnly: false },
  { name: 'customers', scope: 'user', readOnly: false },
] as const;

/** A scenario's reference server. */
export interface ScenarioServer {
  /** The page's path to the server (`/proxy/<port>`). */
  readonly path: string;
  /** The running server; throws while stopped. */
  readonly running: RunningServer;
  readonly db: Database;
  /** Creates a user; resolves with its token. */
  user(userId: string): Promise<string>;
  seedServiceTypes(count: number): Promise<void>;
  seedParts(count: number): Promise<void>;
  seedUserData(userId: string, workOrders: number, customers: number): Promise<void>;
  /** Server down: stops listening (the data stays). */
  stop(): Promise<void>;
  /** Server back on the same port. */
  restart(): Promise<void>;
  /** Stops everything; idempotent. */
  close(): Promise<void>;
  /** The stored requests of a path seen so far (e.g. `/v1/push`), with their status. */
  readonly requests: { path: string; status: number }[];
}

/** Starts a server on 127.0.0.1 and a free port; `maxWindowSize` caps its pages (default 1000). */
export async function startScenarioServer(options: { maxWindowSize?: number } = {}): Promise<ScenarioServer> {
  const db = await openPgliteDatabase({});
  const requests: { path: string; status: number }[] = [];
  const start = (port: number) =>
    startServer({
      database: db,
      port,
      collections,
      compactionIntervalMs: 0,
      ...(options.maxWindowSize === undefined ? {} : { maxWindowSize: options.maxWindowSize }),
      logger: (entry) => {
        const e = entry as { path?: unknown; status?: unknown };
        if (typeof e.path === 'string' && typeof e.status === 'number') {
          requests.push({ path: e.path, status: e.status });
        }
      },
    });
  let running: RunningServer | undefined = await start(0);
  const port = running.port;
  let closed = false;
  return {
    path: proxiedPath(running.url),
    get running() {
      if (!running) throw new Error('the server is stopped');
      return running;
    },
    db,
    requests,
    async user(userId) {
      if (!running) throw new Error('the server is stopped');
      return (await running.admin.createUser(userId)).token;
    },
    async seedServiceTypes(count) {
      await seedServiceTypes(db, count);
    },
    async seedParts(count) {
      if (!running) throw new Error('the server is stopped');
      for (let i = 1; i <= count; i += 1) {
        const id = `pa-${String(i).padStart(4, '0')}`;
        await running.admin.putRecord('parts', id, { name: `part ${i}`, category: `c${i % 3}` });
      }
    },
    async seedUserData(userId, workOrders, customers) {
      await seedWorkOrders(db, userId, workOrders);
      await seedCustomers(db, userId, customers);
    },
    async stop() {
      await running?.close();
      running = undefined;
    },
    async restart() {
      if (!running) running = await start(port);
    },
    async close() {
      if (closed) return;
      closed = true;
      await running?.close();
      running = undefined;
      await db.close();
    },
  };
}
