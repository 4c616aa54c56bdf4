import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ServerOptions } from '../../server/config.js';
import type { LogEntry } from '../../server/http/request-log.js';
import { type RunningServer, startServer } from '../../server/start-server.js';

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
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const logs: LogEntry[] = [];
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  const pgSchema = databaseUrl ? (options.pgSchema ?? `test_${randomBytes(6).toString('hex')}`) : undefined;
  const server = await startServer({
    compactionIntervalMs: 0,
    // Tests install their fresh PostgreSQL schema at start (a deployment runs `migrate` instead).
    autoMigrate: true,
    ...options,
    ...(databaseUrl ? { databaseUrl, pgSchema: pgSchema! } : {}),
    logger: (entry) => {
      logs.push(entry);
      options.logger?.(entry);
    },
  });
  const close = async () => {
    await server.close();
    if (databaseUrl && options.pgSchema === undefined) await dropSchema(databaseUrl, pgSchema!);
  };
  let closing: Promise<void> | undefined;
  return {
    ...server,
    logs,
    backend: databaseUrl ? 'postgres' : 'pglite',
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/** Drops a PostgreSQL schema made for a test. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
