// The demo uses the SDK's public entry only (`idb-sync`): every SDK name the
// page needs comes through here.
export type {
  ConflictLogEntry,
  ConnectionKind,
  DatabaseHandle,
  DatabaseState,
  DBSchema,
  LiveSyncClient,
  LookupFilter,
  LookupPage,
  RunSummary,
  SkippedRecord,
  StoreConflictLogEntry,
  SyncClient,
  SyncCollections,
  SyncEnvironment,
  SyncProgress,
  SyncStatus,
  VersionSpec,
} from '../../src/index.js';
export {
  browserEnvironment,
  createSyncClient,
  defineDatabase,
  isIdbSyncError,
  lookupTokens,
  searchLookup,
} from '../../src/index.js';
