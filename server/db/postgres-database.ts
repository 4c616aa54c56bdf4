import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.js';

/**
 * Opens a `pg` pool on `connectionString`. With `schema`, every connection uses that PostgreSQL
 * schema (`search_path`), created if missing: tests run one schema per file in one cluster.
 */
export async function openPostgresDatabase(
  options: { connectionString: string; schema?: string | undefined } & PoolOptions,
): Promise<PostgresDatabase> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('Invalid PostgreSQL schema name');
  }
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: options.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const o = { ...POOL_DEFAULTS, ...definedOnly(options) };
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: o.maxConnections,
    // pg-pool applies this to waiting for a free connection as well as to connecting.
    connectionTimeoutMillis: o.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: o.statementTimeoutMs,
    lock_timeout: o.lockTimeoutMs,
    idle_in_transaction_session_timeout: o.idleInTransactionTimeoutMs,
    // Names the server's connections in pg_stat_activity (per schema, so tests can tell theirs apart).
    application_name: schema === undefined ? 'idb-sync' : `idb-sync/${schema}`,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection (server restart) must not crash the process, nor go unseen.
  pool.on('error', (error) => {
    o.onError?.(error);
  });
  return new PostgresDatabase(pool, {
    connectionString: options.connectionString,
    keepAlive: true,
    application_name: schema === undefined ? 'idb-sync/listen' : `idb-sync/${schema}/listen`,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
}

/** Pool size and timeouts of a PostgreSQL database; each `0` turns that timeout off. */
export interface PoolOptions {
  /** Connections in the pool. Default 10. */
  maxConnections?: number | undefined;
  /** Longest wait for a free connection (or a new one), in ms; then the request fails with 503. Default 5,000. */
  acquireTimeoutMs?: number | undefined;
  /** Longest statement (`statement_timeout`), in ms. Default 30,000. Migrations run without it. */
  statementTimeoutMs?: number | undefined;
  /** Longest wait for a row or table lock (`lock_timeout`), in ms. Default 10,000. */
  lockTimeoutMs?: number | undefined;
  /** Longest a transaction may sit idle (`idle_in_transaction_session_timeout`), in ms. Default 60,000. */
  idleInTransactionTimeoutMs?: number | undefined;
  /** Called with errors of idle pooled connections (a restarted database), which have no request to fail. */
  onError?: ((error: Error) => void) | undefined;
}

/** Defaults of {@link PoolOptions}. */
export const POOL_DEFAULTS = {
  maxConnections: 10,
  acquireTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 60_000,
} as const;

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** {@link Database} on a `pg` pool. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  #closed = false;

  constructor(
    readonly pool: pg.Pool,
    /** How to open a connection of its own, outside the pool (LISTEN). */
    private readonly clientConfig: pg.ClientConfig = {},
  ) {}

  /**
   * Listens on `channel` on a dedicated connection (not from the pool: a LISTEN must stay on one
   * session), reconnecting with backoff (0.1 s doubling to 5 s) when it is lost. Resolves once the
   * first LISTEN is in place; `onReconnect` runs after each later one (notifications sent while it
   * was down are lost: catch up then).
   */
  async listen(
    channel: string,
    handlers: {
      onNotify: (payload: string) => void;
      onReconnect: () => void;
      onError: (error: Error) => void;
    },
  ): Promise<{ close(): Promise<void> }> {
    let closed = false;
    let current: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const client = new pg.Client(this.clientConfig);
      client.on('error', (error) => handlers.onError(error));
      client.on('notification', (message) => {
        if (message.channel === channel) handlers.onNotify(message.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      client.on('end', () => {
        if (closed) return;
        current = undefined;
        handlers.onError(new Error('the LISTEN connection ended; reconnecting'));
        reconnect(100);
      });
      current = client;
    };
    const reconnect = (delay: number) => {
      retry = setTimeout(() => {
        if (closed) return;
        connect().then(handlers.onReconnect, (error: Error) => {
          handlers.onError(error);
          reconnect(Math.min(delay * 2, 5000));
        });
      }, delay);
      retry.unref();
    };
    await connect();
    return {
      async close() {
        closed = true;
        clearTimeout(retry);
        await current?.end().catch(() => {});
      },
    };
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    const r = await this.pool.query(sql, params as unknown[]);
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const q: Queryable = {
        async query<Row>(sql: string, params: readonly unknown[] = []) {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
        },
      };
      const result = await work(q);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is destroyed rather than returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async connection<T>(work: (conn: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work({
        async query<Row>(sql: string, params: readonly unknown[] = []) {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
        },
      });
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}
