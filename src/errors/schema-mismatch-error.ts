import { IdbSyncError } from './idb-sync-error.js';

/**
 * The live database is at this code's version but a store or index has a different definition than
 * declared: the schema was edited without bumping the version, or another tab runs different code
 * at the same version. Missing stores and indexes are added automatically; a changed definition is
 * not, because two tabs could then undo each other's change forever. Bump the version.
 */
export class SchemaMismatchError extends IdbSyncError {
  override readonly name = 'SchemaMismatchError' as const;
  readonly code = 'SCHEMA_MISMATCH' as const;

  /** The database name. */
  declare readonly database: string;
  /** The app schema version both sides claim. */
  declare readonly version: number;
  /** The stores whose live definition differs from the declaration (`store` or `store.index`). */
  declare readonly mismatches: readonly string[];

  constructor(database: string, version: number, mismatches: readonly string[]) {
    super(
      `Database "${database}" at version ${version} does not match its declaration: ${mismatches.join(', ')} ` +
        'differ; bump the version to change a store or index',
    );
    this.database = database;
    this.version = version;
    this.mismatches = mismatches;
  }
}
