import type { Database } from './database.js';
import { openPgliteDatabase } from './pglite-database.js';
import { openPostgresDatabase, type PoolOptions } from './postgres-database.js';

/** Where the server's data lives: PostgreSQL when `databaseUrl` is set, else PGlite (on disk or in memory). */
export interface DatabaseLocation {
  databaseUrl?: string | undefined;
  pgSchema?: string | undefined;
  dataDir?: string | undefined;
  /** PostgreSQL pool size, timeouts and error sink. */
  pool?: PoolOptions | undefined;
}

/** Opens the database the options point at. */
export function openDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.databaseUrl !== undefined && location.databaseUrl !== '') {
    return openPostgresDatabase({
      ...location.pool,
      connectionString: location.databaseUrl,
      schema: location.pgSchema,
    });
  }
  return openPgliteDatabase({ dataDir: location.dataDir });
}
