import { IdbSyncError } from './idb-sync-error.js';

/**
 * An open that needs a version upgrade stayed `blocked` (another tab or connection kept the old
 * version open) for longer than `blockedTimeoutMs`. The handle's `state$` says `blocked`; a later
 * open succeeds once the other connection closes.
 */
export class UpgradeBlockedError extends IdbSyncError {
  override readonly name = 'UpgradeBlockedError' as const;
  readonly code = 'UPGRADE_BLOCKED' as const;

  /** The database whose upgrade was blocked. */
  declare readonly database: string;
  /** The version the open asked for. */
  declare readonly version: number;
  /** How long the open waited before giving up, in milliseconds. */
  declare readonly timeoutMs: number;

  constructor(database: string, version: number, timeoutMs: number) {
    super(
      `Upgrade of database "${database}" to version ${version} was blocked by another connection for ${timeoutMs} ms`,
    );
    this.database = database;
    this.version = version;
    this.timeoutMs = timeoutMs;
  }
}
