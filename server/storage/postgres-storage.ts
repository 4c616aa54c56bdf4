import type { PoolOptions } from '../db/postgres-database.js';
import { importPeers } from '../import-peers.js';
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
      const { openPostgresDatabase } = await importPeers(
        () => import('../db/postgres-database.js'),
        ['pg'],
        'for this storage',
      );
      return openPostgresDatabase({
        ...options,
        onError: (error) =>
          log?.({ level: 'warn', msg: `database pool: ${error.message}`, event: 'pool-error' }),
      });
    },
  };
}
