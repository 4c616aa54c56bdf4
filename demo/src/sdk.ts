// The demo uses the SDK's public entry only. `createSyncClient` and its types are taken from their
// module because the sync area has not added them to src/index.ts yet; switch to the entry when it does.
export type {
  ConnectionKind,
  ConnectionManager,
  DatabaseHandle,
  DatabaseState,
  ListenerEnvironment,
  ServerEvent,
  ServerEventSource,
  SyncTransport,
  VersionSpec,
} from '../../src/index.js';
export {
  browserEnvironment,
  connectionManager,
  createHttpTransport,
  createWebSocketTransport,
  defineDatabase,
  isDatabaseVersionError,
  NetworkError,
} from '../../src/index.js';
export type { ConflictLogEntry } from '../../src/sync/internal-stores.js';
export type { SyncProgress } from '../../src/sync/run-context.js';
export type { RunSummary } from '../../src/sync/run-summary.js';
export type { SyncClient } from '../../src/sync/sync-client.js';
export { createSyncClient } from '../../src/sync/sync-client.js';
export type { SyncStatus } from '../../src/sync/sync-log.js';
