import type { PoolOptions } from '../db/postgres-database.js';
import type { SyncStorage } from './sync-storage.js';

/**
 * Options of {@link postgresStorage}: where, and the pool's size and timeouts (each `0` turns that
 * timeout off). A request that runs into a timeout is answered `503 SERVICE_UNAVAILABLE`, not 500.
 */
export interface PostgresStorageOptions extends Omit<PoolOptions, 'onError'> {
  /** A PostgreSQL connection string, e.g. `postgres://app@db.internal/app`. */
  connectionString: string;
  /**
   * The PostgreSQL schema (`search_path`) of the server's tables, created if missing. Default: the
   * connection's default (usually `public`).
   */
  schema?: string;
}

/**
 * The server's data on PostgreSQL (13 or later), through the `pg` driver (an optional peer
 * dependency: `npm install pg`). Several server instances may share one database.
 *
 * @example
 * const storage = postgresStorage({ connectionString: process.env.DATABASE_URL! });
 */
export function postgresStorage(options: PostgresStorageOptions): SyncStorage {
  return {
    kind: 'postgres',
    owned: true,
    async open({ log }) {
      const { openPostgresDatabase } = await importDriver(() => import('../db/postgres-database.js'), 'pg');
      return openPostgresDatabase({
        ...options,
        onError: (error) =>
          log?.({ level: 'warn', msg: `database pool: ${error.message}`, event: 'pool-error' }),
      });
    },
  };
}

/** Loads a module that needs an optional peer dependency, naming the package to install when missing. */
export async function importDriver<T>(load: () => Promise<T>, pkg: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String(error).includes(pkg)) {
      throw new Error(`idb-sync/server needs the package "${pkg}" for this storage: npm install ${pkg}`, {
        cause: error,
      });
    }
    throw error;
  }
}
