// `idb-sync/react`: React hooks over the database handle and the sync client. React is an optional
// peer dependency: nothing here is reached by an app that does not import this entry.

export type { DatabaseStatus } from '../bindings/database-status.js';
export type { LiveResult } from '../bindings/live-result.js';
export type { SkippedRecordsClient } from '../bindings/sync-sources.js';
export { type ConflictLogResult, useConflictLog } from './use-conflict-log.js';
export { useDatabaseStatus } from './use-database-status.js';
export { type UseLiveOptions, type UseLiveQueryOptions, useLiveQuery } from './use-live-query.js';
export { useLiveSearch } from './use-live-search.js';
export { usePendingWrites } from './use-pending-writes.js';
export { type SkippedRecordsResult, useSkippedRecords } from './use-skipped-records.js';
export { useConnection, useLastRun, useSyncProgress, useSyncStatus } from './use-sync-state.js';
