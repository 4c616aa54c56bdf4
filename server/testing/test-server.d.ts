import type { ServerOptions } from '../config.js';
import type { LogEntry } from '../http/request-log.js';
import { type RunningServer } from '../start-server.js';
/** A server for tests, with its log captured. */
export interface TestServer extends RunningServer {
    /** Every log entry so far. */
    readonly logs: LogEntry[];
    /** PostgreSQL or PGlite, for test names. */
    readonly backend: 'postgres' | 'pglite';
}
/**
 * Starts a server on 127.0.0.1, port 0, for a test: on PostgreSQL in a fresh schema when
 * `DATABASE_URL` is set (so test files can run in parallel on one cluster; the schema is dropped on
 * close), else on an in-memory PGlite. Logs are captured, not printed.
 */
export declare function startTestServer(options?: ServerOptions): Promise<TestServer>;
/** Drops a PostgreSQL schema made for a test. */
export declare function dropSchema(databaseUrl: string, schema: string): Promise<void>;
