import { IdbSyncError } from './idb-sync-error.js';

/**
 * The database on disk is at a newer schema version than this code declares (`VersionError`), and
 * that newer version changed stores this code uses: a newer release of the app upgraded it, usually
 * in another tab. Reloading the page loads the newer code; until then this handle cannot open the
 * database. (When the newer version left this code's stores alone, the handle keeps working.)
 */
export class DatabaseVersionError extends IdbSyncError {
  override readonly name = 'DatabaseVersionError' as const;
  readonly code = 'DATABASE_VERSION_TOO_OLD' as const;

  /** The database name. */
  declare readonly database: string;
  /** The app schema version this code declares. */
  declare readonly declaredVersion: number;
  /** The app schema version found on disk, when it could be read. */
  declare readonly existingVersion: number | undefined;

  constructor(
    database: string,
    declaredVersion: number,
    existingVersion: number | undefined,
    cause?: unknown,
  ) {
    super(
      `Database "${database}" is at ${existingVersion === undefined ? 'a newer version' : `version ${existingVersion}`}` +
        `, newer than version ${declaredVersion} declared by this code; reload to get the newer code`,
      { cause },
    );
    this.database = database;
    this.declaredVersion = declaredVersion;
    this.existingVersion = existingVersion;
  }
}
