import { importPeers } from '../import-peers.js';
import type { SyncStorage } from './sync-storage.js';

/** Options of {@link postgresStorage}. */
export interface PostgresStorageOptions {
  /** A PostgreSQL connection string, e.g. `postgres://app@db.internal/app`. */
  connectionString: string;
  /**
   * The PostgreSQL schema (`search_path`) of the server's tables, created if missing. Default: the
   * connection's default (usually `public`).
   */
  schema?: string;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
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
    async open() {
      const { openPostgresDatabase } = await importPeers(
        () => import('../db/postgres-database.js'),
        ['pg'],
        'for this storage',
      );
      return openPostgresDatabase({
        connectionString: options.connectionString,
        schema: options.schema,
        maxConnections: options.maxConnections,
      });
    },
  };
}
