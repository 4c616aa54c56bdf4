import { IdbSyncError } from './idb-sync-error.js';

/**
 * A database declaration is invalid: versions not strictly increasing, an app store name starting
 * with the reserved `_`, an index or migration naming a store the version does not declare, …
 * Thrown by `defineDatabase()` itself, so the mistake shows up when the module loads.
 */
export class SchemaDefinitionError extends IdbSyncError {
  override readonly name = 'SchemaDefinitionError' as const;
  readonly code = 'INVALID_SCHEMA' as const;

  /** The database being declared. */
  declare readonly database: string;
  /** What is wrong, naming the version and store. */
  declare readonly problem: string;

  constructor(database: string, problem: string) {
    super(`Invalid declaration of database "${database}": ${problem}`);
    this.database = database;
    this.problem = problem;
  }
}
