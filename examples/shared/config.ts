// What the example apps sync, and where they keep it: PostgreSQL when DATABASE_URL is set, else an
// embedded PGlite (in DATA_DIR, or in memory).
import {
  type CollectionConfig,
  pgliteStorage,
  postgresStorage,
  type SyncServerOptions,
  type SyncStorage,
} from 'idb-sync/server';
import { authenticate } from './auth.js';

/** A field-service app: a shared read-only catalog, and each technician's own work orders and customers. */
export const collections: CollectionConfig[] = [
  { name: 'service_types', scope: 'shared', readOnly: true },
  { name: 'work_orders', scope: 'user', readOnly: false },
  { name: 'customers', scope: 'user', readOnly: false },
];

export function storageFromEnv(env = process.env): SyncStorage {
  if (env.DATABASE_URL) {
    return postgresStorage({
      connectionString: env.DATABASE_URL,
      ...(env.PG_SCHEMA ? { schema: env.PG_SCHEMA } : {}),
    });
  }
  return pgliteStorage(env.DATA_DIR ? { dataDir: env.DATA_DIR } : {});
}

/** The sync server's options shared by the three apps; ADMIN_TOKEN enables `/sync/admin`. */
export function syncOptions(env = process.env): SyncServerOptions {
  return {
    storage: storageFromEnv(env),
    collections,
    authenticate,
    basePath: '/sync',
    // One instance: install or update the tables at start. With several instances on PostgreSQL,
    // run `migrate(storage, { collections })` once per deploy instead and leave this out.
    autoMigrate: true,
    ...(env.ADMIN_TOKEN ? { adminToken: env.ADMIN_TOKEN } : {}),
  };
}

/** The port to listen on (PORT; 0 picks a free one). */
export const port = Number(process.env.PORT ?? 3000);
