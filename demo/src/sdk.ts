// The demo uses the SDK's public entries only (`idb-sync`, `idb-sync/transport`): every SDK name the
// page needs comes through here.
export type {
  ConflictLogEntry,
  ConnectionKind,
  DatabaseHandle,
  DatabaseState,
  DBSchema,
  LookupFilter,
  LookupPage,
  RunSummary,
  StoreConflictLogEntry,
  SyncClient,
  SyncCollections,
  SyncProgress,
  SyncStatus,
  SyncTransport,
  VersionSpec,
} from '../../src/index.js';
export {
  createSyncClient,
  defineDatabase,
  isIdbSyncError,
  lookupTokens,
  searchLookup,
} from '../../src/index.js';
export type {
  ConnectionManager,
  ListenerEnvironment,
  ServerEvent,
  ServerEventSource,
} from '../../src/transport/index.js';
export {
  browserEnvironment,
  connectionManager,
  createHttpTransport,
  createWebSocketTransport,
  NetworkError,
} from '../../src/transport/index.js';
