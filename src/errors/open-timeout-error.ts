import { IdbSyncError } from './idb-sync-error.js';

/**
 * `indexedDB.open()` gave no sign of life (no `upgradeneeded`, `blocked`, `success` or `error`) within
 * `openTimeoutMs`: the Safari first-open hang, or a queue behind another tab's very long upgrade.
 * The open keeps going in the background; the next operation waits for it again.
 */
export class OpenTimeoutError extends IdbSyncError {
  override readonly name = 'OpenTimeoutError' as const;
  readonly code = 'OPEN_TIMEOUT' as const;

  /** The database being opened. */
  declare readonly database: string;
  /** How long the open waited, in milliseconds. */
  declare readonly timeoutMs: number;

  constructor(database: string, timeoutMs: number) {
    super(`Opening database "${database}" gave no answer within ${timeoutMs} ms`);
    this.database = database;
    this.timeoutMs = timeoutMs;
  }
}
