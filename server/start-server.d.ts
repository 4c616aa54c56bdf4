import { type AdminApi } from './admin/admin-api.js';
import { type ServerOptions } from './config.js';
import type { Database } from './db/database.js';
import { type SchemaStatus } from './schema/schema-manager.js';
import { type ResolvedOptions } from './sync/runtime.js';
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
    connections(): {
        sse: number;
        ws: number;
    };
    /** Ends streams and sockets, stops listening and closes the database. Idempotent. */
    close(): Promise<void>;
}
/** Fills in defaults and checks the options; throws on impossible values. */
export declare function resolveOptions(options: ServerOptions): ResolvedOptions;
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
export declare function startServer(options?: ServerOptions): Promise<RunningServer>;
