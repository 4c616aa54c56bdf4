// The demo uses the SDK's public entry only: every SDK name the page needs comes through here.
export type {
  ConflictLogEntry,
  ConnectionKind,
  ConnectionManager,
  DatabaseHandle,
  DatabaseState,
  ListenerEnvironment,
  RunSummary,
  ServerEvent,
  ServerEventSource,
  SyncClient,
  SyncProgress,
  SyncStatus,
  SyncTransport,
  VersionSpec,
} from '../../src/index.js';
export {
  browserEnvironment,
  connectionManager,
  createHttpTransport,
  createSyncClient,
  createWebSocketTransport,
  defineDatabase,
  isDatabaseVersionError,
  NetworkError,
} from '../../src/index.js';
