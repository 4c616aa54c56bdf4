import type { IdbSyncError } from '../errors/idb-sync-error.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';

/**
 * Where a database handle stands:
 * - `closed`: no connection (not opened yet, `close()` was called, or the browser dropped it);
 *   the next operation opens.
 * - `opening` / `upgrading`: an open, or its versionchange transaction, is running.
 * - `blocked`: the upgrade waits for another tab to close the old version.
 * - `open`: ready.
 * - `versionchange`: another connection upgraded the database; this handle closed itself and the
 *   next operation reopens (or fails with `DatabaseVersionError` if the new version is newer than
 *   this code: time to reload).
 * - `evicted`: open, but the browser had dropped the data; stays until `acknowledgeEviction()`.
 * - `deleted`: the database was deleted; the next operation creates it again.
 * - `error`: the last open failed (see the `error` event); the next operation tries again.
 */
export type DatabaseState =
  | 'closed'
  | 'opening'
  | 'upgrading'
  | 'open'
  | 'blocked'
  | 'versionchange'
  | 'evicted'
  | 'deleted'
  | 'error';

/** Why the handle thinks the browser dropped the database. */
export type EvictionReason =
  /** `_meta` exists but lost its marker record. */
  | 'marker-missing'
  /** The database had to be created although this origin used it before (see `evictionHintStorage`). */
  | 'recreated';

/** Something that happened to a handle (`events$`). */
export type DatabaseEvent =
  /**
   * The first connection of this handle is open. `liveVersion` is the app version on disk: higher
   * than `version` when newer code (another tab) upgraded the database but left this code's stores
   * untouched, so this code keeps working until it reloads.
   */
  | { readonly type: 'opened'; readonly version: number; readonly liveVersion: number }
  /** A new connection replaced one that was closed, lost or changed. */
  | { readonly type: 'reopened'; readonly version: number; readonly liveVersion: number }
  /** This handle ran an upgrade; the report is also persisted in `_meta`. */
  | { readonly type: 'upgraded'; readonly report: UpgradeReport }
  /** An upgrade or deletion waits for other connections to close. */
  | { readonly type: 'blocked'; readonly operation: 'open' | 'delete' }
  /**
   * Another connection upgraded (or deleted, `newVersion` null) the database; this handle closed its
   * connection. `reloadRequired`: the new version is newer than this code declares.
   */
  | {
      readonly type: 'versionchange';
      readonly oldVersion: number;
      readonly newVersion: number | null;
      readonly reloadRequired: boolean;
    }
  /** The browser closed the connection (Safari's "connection to Indexed Database server lost"). */
  | { readonly type: 'terminated' }
  /** The data was found dropped by the browser; sync should refetch everything. */
  | { readonly type: 'evicted'; readonly reason: EvictionReason }
  /** `close()` was called. */
  | { readonly type: 'closed' }
  /** The database was deleted through this handle. */
  | { readonly type: 'deleted' }
  /** An open failed. */
  | { readonly type: 'error'; readonly error: IdbSyncError }
  /** Answer of `navigator.storage.persist()` (option `persist`). */
  | { readonly type: 'persisted'; readonly persisted: boolean };
