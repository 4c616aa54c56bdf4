import { IdbSyncError } from './idb-sync-error.js';

/**
 * A schema upgrade failed: a migration threw, a rebuilt store rejected a record, the quota ran out,
 * or the upgrade transaction aborted. The database stays at its old version with its old data.
 */
export class UpgradeFailedError extends IdbSyncError {
  override readonly name = 'UpgradeFailedError' as const;
  readonly code = 'UPGRADE_FAILED' as const;

  /** The database whose upgrade failed. */
  declare readonly database: string;
  /** The app schema version the database was at (0 when it was being created). */
  declare readonly fromVersion: number;
  /** The app schema version the open asked for. */
  declare readonly toVersion: number;
  /** The declared version whose step failed. */
  declare readonly failedVersion: number;
  /** The store whose migration failed, when a migration failed. */
  declare readonly migration: string | undefined;

  constructor(
    database: string,
    fromVersion: number,
    toVersion: number,
    failedVersion: number,
    migration: string | undefined,
    /** The original error: the migration's own error, or the typed IndexedDB error. */
    cause: unknown,
  ) {
    super(
      `Upgrade of database "${database}" from version ${fromVersion} to ${toVersion} failed at version ${failedVersion}` +
        (migration === undefined ? '' : ` in the migration of store "${migration}"`) +
        '; the database was left at its old version',
      { cause },
    );
    this.database = database;
    this.fromVersion = fromVersion;
    this.toVersion = toVersion;
    this.failedVersion = failedVersion;
    this.migration = migration;
  }
}
