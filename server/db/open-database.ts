import { importPeers } from '../import-peers.js';
import type { Database } from './database.js';
import type { PoolOptions } from './postgres-database.js';

/** Where the server's data lives: PostgreSQL when `databaseUrl` is set, else PGlite (on disk or in memory). */
export interface DatabaseLocation {
  databaseUrl?: string | undefined;
  pgSchema?: string | undefined;
  dataDir?: string | undefined;
  /** PostgreSQL pool size, timeouts and error sink. */
  pool?: PoolOptions | undefined;
}

/**
 * Opens the database the options point at. Each driver is loaded only when used (an optional peer
 * dependency: a server on PostgreSQL needs no PGlite installed, and the other way round).
 */
export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.databaseUrl !== undefined && location.databaseUrl !== '') {
    const { openPostgresDatabase } = await importPeers(
      () => import('./postgres-database.js'),
      ['pg'],
      'for PostgreSQL',
    );
    return openPostgresDatabase({
      ...location.pool,
      connectionString: location.databaseUrl,
      schema: location.pgSchema,
    });
  }
  const { openPgliteDatabase } = await importPeers(
    () => import('./pglite-database.js'),
    ['@electric-sql/pglite'],
    'for PGlite',
  );
  return openPgliteDatabase({ dataDir: location.dataDir });
}
