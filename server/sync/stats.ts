import type { Database, Queryable } from '../db/database.js';

/** Counters and timings of one request, for its log line. */
export interface RequestStats {
  /** Records written by puts. */
  change: number;
  /** Deletes written (push) or sent (pull). */
  delete: number;
  /** Records sent (pull). */
  fetch: number;
  /** Mutations answered `conflict`. */
  conflict: number;
  /** Mutations answered `rejected`. */
  rejected: number;
  /** Time spent waiting on the database, in ms. */
  dbMs: number;
}

export function newStats(): RequestStats {
  return { change: 0, delete: 0, fetch: 0, conflict: 0, rejected: 0, dbMs: 0 };
}

/** `db` with the time of every query and transaction added to `stats.dbMs`. */
export function timedDatabase(db: Database, stats: RequestStats): Database {
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      stats.dbMs += performance.now() - started;
    }
  };
  return {
    kind: db.kind,
    query: (sql, params) => timed(() => db.query(sql, params)),
    // A transaction's JavaScript between statements is counted as database time too: it runs
    // while the transaction holds its locks, which is what matters for contention.
    transaction: (work: (tx: Queryable) => Promise<never>) => timed(() => db.transaction(work)),
    connection: (work: (conn: Queryable) => Promise<never>) => timed(() => db.connection(work)),
    exec: (sql) => timed(() => db.exec(sql)),
    close: () => db.close(),
  } as Database;
}
