/**
 * The small database interface the server is written against. Both adapters (PGlite, embedded;
 * PostgreSQL through `pg`) speak the same SQL dialect, so every query in the server runs on both.
 */
export interface Queryable {
  /** Runs one statement with `$1…` parameters; JSON parameters are passed as strings and cast (`$1::jsonb`). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** Rows of a statement; `rowCount` is the number of rows affected or returned. */
export interface QueryResult<Row> {
  /** The rows returned. */
  rows: Row[];
  /** Rows returned or affected. */
  rowCount: number;
}

/** A database connection (or pool) with transactions. */
export interface Database extends Queryable {
  /** `pglite` or `postgres`, for messages and the few tuning differences. */
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `work` in one READ COMMITTED transaction on one connection, committing when it resolves and
   * rolling back when it throws. Never await anything but `tx` queries inside (no network), so
   * row locks are held as briefly as possible.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one connection held for its duration, outside any transaction (session-level
   * advisory locks, `CREATE INDEX CONCURRENTLY`).
   */
  connection<T>(work: (conn: Queryable) => Promise<T>): Promise<T>;
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Closes the connection (pool). Idempotent. */
  close(): Promise<void>;
}

/** Numbers from `bigint` columns come back as strings from `pg` and as numbers from PGlite. */
export function toInt(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`Not a safe integer from the database: ${String(value)}`);
  return n;
}
