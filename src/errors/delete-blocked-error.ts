import { IdbSyncError } from './idb-sync-error.js';

/**
 * `deleteDatabase()` was blocked by another connection (another tab, or code holding a raw
 * connection) for longer than its timeout. The deletion stays queued in the browser and happens
 * once the other connection closes.
 */
export class DeleteBlockedError extends IdbSyncError {
  override readonly name = 'DeleteBlockedError' as const;
  readonly code = 'DELETE_BLOCKED' as const;

  /** The database being deleted. */
  declare readonly database: string;
  /** How long the deletion waited, in milliseconds. */
  declare readonly timeoutMs: number;

  constructor(database: string, timeoutMs: number) {
    super(`Deleting database "${database}" was blocked by another connection for ${timeoutMs} ms`);
    this.database = database;
    this.timeoutMs = timeoutMs;
  }
}
