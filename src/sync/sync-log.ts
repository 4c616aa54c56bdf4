import type { StoreConflictLogEntry } from './internal-stores.js';
import type { RunSummary } from './run-summary.js';

/** Status of a sync client. */
export type SyncStatus =
  /** Not syncing; the last run (if any) succeeded. */
  | 'idle'
  | 'pulling'
  | 'pushing'
  /** The server could not be reached; local writes are kept and the run is retried. */
  | 'waiting-for-network'
  /** The server refuses this app version (`UPGRADE_REQUIRED`, `SCHEMA_VERSION_TOO_NEW`) or the database upgrade is blocked. */
  | 'blocked'
  /** The last run failed for another reason (see `errors$`). */
  | 'error';

/** One entry for the app's logger. Record contents are `'[redacted]'` unless `logRecordContents` is set. */
export type SyncLogEntry =
  | { readonly type: 'run'; readonly summary: RunSummary }
  | { readonly type: 'conflict'; readonly conflict: StoreConflictLogEntry }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'status'; readonly status: SyncStatus };

const REDACTED = '[redacted]';

/** A conflict log entry with the record values replaced, for logs. */
export function redactConflict(entry: StoreConflictLogEntry): StoreConflictLogEntry {
  const hide = (v: unknown) => (v === null ? null : REDACTED) as never;
  return {
    ...entry,
    local: hide(entry.local),
    remote: hide(entry.remote),
    base: hide(entry.base),
    result: hide(entry.result),
  };
}
