import { IdbSyncError } from './idb-sync-error.js';

/** Why IndexedDB cannot be used in this context. */
export type IndexedDBUnavailableReason =
  /** No `indexedDB` global (an old browser, a server-side render, a worker without it). */
  | 'missing'
  /** Reading `indexedDB` threw (a sandboxed iframe, storage blocked by the user's settings). */
  | 'access-denied'
  /** `indexedDB.open()` failed before any database was touched (private mode in older browsers). */
  | 'open-failed';

/**
 * IndexedDB is missing or refuses to open in this browsing context, so nothing can be stored
 * offline. Apps typically fall back to an online-only mode and tell the user.
 */
export class IndexedDBUnavailableError extends IdbSyncError {
  override readonly name = 'IndexedDBUnavailableError' as const;
  readonly code = 'INDEXEDDB_UNAVAILABLE' as const;

  /** The database the SDK tried to open. */
  declare readonly database: string;
  /** Why IndexedDB is unavailable. */
  declare readonly reason: IndexedDBUnavailableReason;

  constructor(database: string, reason: IndexedDBUnavailableReason, cause?: unknown) {
    super(`IndexedDB is unavailable (${reason}); database "${database}" cannot be opened`, { cause });
    this.database = database;
    this.reason = reason;
  }
}
