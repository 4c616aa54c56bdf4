import { IdbSyncError } from './idb-sync-error.js';

/**
 * `signOut()` was asked to delete a user's data while local writes were still unacknowledged by the
 * server (the push was skipped or failed). Nothing was deleted. Sign out again once online, or with
 * `force: true` to drop them.
 */
export class UnpushedWritesError extends IdbSyncError {
  override readonly name = 'UnpushedWritesError' as const;
  readonly code = 'UNPUSHED_WRITES' as const;

  /** The database that was kept. */
  declare readonly database: string;
  /** Local writes signing out would drop. */
  declare readonly pendingWrites: number;

  constructor(database: string, pendingWrites: number, options?: { cause?: unknown }) {
    super(
      `Sign-out kept database "${database}": ${pendingWrites} local write(s) are not on the server yet (pass force: true to drop them)`,
      options,
    );
    this.database = database;
    this.pendingWrites = pendingWrites;
  }
}
