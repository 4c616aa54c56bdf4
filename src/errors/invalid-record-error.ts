import { IdbSyncError } from './idb-sync-error.js';

/**
 * The sync client cannot take a write or a collection: the store is not a synced (`transactional` or
 * `lookup`) store with a single-field key path, or the record's id is not a non-empty string (the
 * protocol's record ids are strings). Thrown before anything is written.
 */
export class InvalidRecordError extends IdbSyncError {
  override readonly name = 'InvalidRecordError' as const;
  readonly code = 'INVALID_RECORD' as const;

  /** The store concerned. */
  declare readonly store: string;
  /** What is wrong, without record contents. */
  declare readonly problem: string;

  constructor(store: string, problem: string) {
    super(`Cannot sync store "${store}": ${problem}`);
    this.store = store;
    this.problem = problem;
  }
}
