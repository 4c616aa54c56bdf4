import type { CollectionConfig } from './config.js';
import {
  canServe,
  installSchema,
  type MigrationProgress,
  type SchemaStatus,
  schemaStatus,
  updateSchema,
} from './schema/schema-manager.js';
import type { SyncStorage } from './storage/sync-storage.js';

/**
 * Installs or updates the server's tables on `storage` (and the change capture of the app tables
 * among `collections`), then closes it: the deploy step before instances start on PostgreSQL, where
 * {@link createSyncServer} does not migrate by default (several instances start at once). Safe to
 * run while older instances serve: index builds run concurrently under an advisory lock.
 *
 * @example
 * import { migrate, postgresStorage } from 'idb-sync/server';
 *
 * const status = await migrate(postgresStorage({ connectionString: 'postgres://localhost/app' }));
 * console.log(`schema ${status.state}, version ${status.installed}`);
 */
export async function migrate(
  storage: SyncStorage,
  options: { collections?: readonly CollectionConfig[]; onProgress?: (p: MigrationProgress) => void } = {},
): Promise<SchemaStatus> {
  const db = await storage.open({ migrate: true });
  try {
    const progress = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
    let status = await schemaStatus(db);
    if (status.state === 'none') status = await installSchema(db, progress);
    else if (status.state.startsWith('update')) status = await updateSchema(db, progress);
    if (canServe(status.state)) {
      for (const collection of options.collections ?? []) {
        await collection.store?.install?.(db, collection, { migrate: true });
      }
    }
    return status;
  } finally {
    if (storage.owned) await db.close();
  }
}
