/**
 * The reference sync server as a library (Node 20+): {@link createSyncServer} gives a fetch handler,
 * a Node request listener and a WebSocket hook over PostgreSQL or PGlite storage; {@link startServer}
 * runs it standalone. Its dependencies (hono, @hono/node-server, ws, and pg or
 * @electric-sql/pglite) are optional peer dependencies: install them in the server project.
 *
 * @module idb-sync/server
 */

// The public entry of `idb-sync/server`: every public name is listed here, nothing else is exported.
// Runs on Node (20+). Its dependencies (hono, @hono/node-server, ws, and pg or @electric-sql/pglite
// for the storage used) are optional peer dependencies: install them in the server project.

export type { AdminApi } from './admin/admin-api.js';
export type {
  AuthUser,
  CollectionConfig,
  CorsOptions,
  SchemaVersionPolicy,
  ServerOptions,
} from './config.js';
export type { SyncServer, SyncServerOptions } from './create-sync-server.js';
export { createSyncServer } from './create-sync-server.js';
export type { Database, Queryable, QueryResult } from './db/database.js';
export type { PoolOptions } from './db/postgres-database.js';
export type { RateLimitOptions } from './http/rate-limit.js';
export type { LogEntry } from './http/request-log.js';
export type { ImportProgress, ImportResult } from './import/import-records.js';
export type { ImportFormat } from './import/parse-records.js';
export { parseRecords } from './import/parse-records.js';
export { migrate } from './migrate.js';
export type { MigrationProgress, SchemaState, SchemaStatus } from './schema/schema-manager.js';
export type { RunningServer } from './start-server.js';
export { startServer } from './start-server.js';
export type { AppTableOptions } from './storage/app-table-store.js';
export { appTable } from './storage/app-table-store.js';
export type {
  CollectionStore,
  PageLimits,
  PageRows,
  Scope,
  StoreWrite,
  StoreWriteOutcome,
} from './storage/collection-store.js';
export type { PgliteStorageOptions } from './storage/pglite-storage.js';
export { pgliteStorage } from './storage/pglite-storage.js';
export type { PostgresStorageOptions } from './storage/postgres-storage.js';
export { postgresStorage } from './storage/postgres-storage.js';
export { recordsTable } from './storage/records-table-store.js';
export type { SyncStorage } from './storage/sync-storage.js';
export type { HousekeepingRun } from './sync/housekeeping.js';
export type { StoredRecord } from './sync/records.js';
