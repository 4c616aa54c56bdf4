import { importPeers } from '../import-peers.js';
import type { SyncStorage } from './sync-storage.js';

/** Options of {@link pgliteStorage}. */
export interface PgliteStorageOptions {
  /**
   * Directory of the database files, created if missing; one process at a time (a lock file
   * refuses a second one). Default: none, an in-memory database, gone when the server closes.
   */
  dataDir?: string;
}

/**
 * The server's data in PGlite, PostgreSQL compiled to WebAssembly and embedded in the process
 * (`npm install @electric-sql/pglite`): no database to run, the same SQL as {@link postgresStorage}.
 * One process, one connection: for development, tests, demos and small single-instance servers.
 *
 * @example
 * const storage = pgliteStorage({ dataDir: '.data/sync' });
 */
export function pgliteStorage(options: PgliteStorageOptions = {}): SyncStorage {
  return {
    kind: 'pglite',
    owned: true,
    async open({ migrate }) {
      const { openPgliteDatabase, serverSchemaClone } = await importPeers(
        () => import('../db/pglite-database.js'),
        ['@electric-sql/pglite'],
        'for this storage',
      );
      // A new in-memory database that is about to be migrated starts from a copy of the migrated
      // schema instead: several times faster than initdb and the migrations.
      if (options.dataDir === undefined && migrate) return serverSchemaClone();
      return openPgliteDatabase({ dataDir: options.dataDir });
    },
  };
}
