import { IdbSyncError } from './idb-sync-error.js';

/**
 * `deleteDatabase()` was blocked by another connection (another tab, or code holding a raw
 * connection) for longer than its timeout. The deletion stays queued in the browser and happens
 * once the other connection closes.
 */
export class DeleteBlockedError extends IdbSyncError {
  override readonly name = 'DeleteBlockedError' as const;
  readonly code = 'DELETE_BLOCKED' as const;

  constructor(
    /** The database being deleted. */
    readonly database: string,
    /** How long the deletion waited, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`Deleting database "${database}" was blocked by another connection for ${timeoutMs} ms`);
  }
}
