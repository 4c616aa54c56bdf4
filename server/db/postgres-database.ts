import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.js';

/**
 * Opens a `pg` pool on `connectionString`. With `schema`, every connection uses that PostgreSQL
 * schema (`search_path`), created if missing: tests run one schema per file in one cluster.
 */
export async function openPostgresDatabase(options: {
  connectionString: string;
  schema?: string | undefined;
  /** Pool size; default 10. */
  maxConnections?: number | undefined;
}): Promise<PostgresDatabase> {
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
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  return new PostgresDatabase(pool);
}

/** {@link Database} on a `pg` pool. */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  #closed = false;

  constructor(readonly pool: pg.Pool) {}

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
