// The one public entry of idb-sync: every public name is listed here, nothing else is exported.
// Internals stay internal. Keep sections in this order; add names to your area's section.

// --- errors
export { AuthError } from './errors/auth-error.js';
export { ConflictResolverError } from './errors/conflict-resolver-error.js';
export { ConstraintViolationError } from './errors/constraint-violation-error.js';
export { DatabaseClosedError } from './errors/database-closed-error.js';
export { DatabaseVersionError } from './errors/database-version-error.js';
export { DeleteBlockedError } from './errors/delete-blocked-error.js';
export type { IdbSyncErrorCode, IdbSyncErrorMap } from './errors/error-map.js';
export { IdbSyncError, isIdbSyncError } from './errors/idb-sync-error.js';
export type { IndexedDBErrorContext } from './errors/indexeddb-error.js';
export { IndexedDBError } from './errors/indexeddb-error.js';
export type { IndexedDBUnavailableReason } from './errors/indexeddb-unavailable-error.js';
export { IndexedDBUnavailableError } from './errors/indexeddb-unavailable-error.js';
export { InvalidDataError } from './errors/invalid-data-error.js';
export { InvalidRecordError } from './errors/invalid-record-error.js';
export type { InvalidResponseIssue, InvalidResponseProblem } from './errors/invalid-response-error.js';
export { InvalidResponseError } from './errors/invalid-response-error.js';
export { MutationRejectedError } from './errors/mutation-rejected-error.js';
export type { NetworkErrorReason } from './errors/network-error.js';
export { NetworkError } from './errors/network-error.js';
export { OpenTimeoutError } from './errors/open-timeout-error.js';
export type { RecordTransform } from './errors/record-transform-error.js';
export { RecordTransformError } from './errors/record-transform-error.js';
export { RequestRejectedError } from './errors/request-rejected-error.js';
export { ResetRequiredError } from './errors/reset-required-error.js';
export { SchemaDefinitionError } from './errors/schema-definition-error.js';
export { SchemaMismatchError } from './errors/schema-mismatch-error.js';
export { ServerError } from './errors/server-error.js';
export { StorageQuotaError } from './errors/storage-quota-error.js';
export { TransactionAbortedError } from './errors/transaction-aborted-error.js';
export { TransactionCallbackError } from './errors/transaction-callback-error.js';
export { UpgradeBlockedError } from './errors/upgrade-blocked-error.js';
export { UpgradeFailedError } from './errors/upgrade-failed-error.js';
export { UpgradeRequiredError } from './errors/upgrade-required-error.js';

// --- db

export type { DatabaseEvent, DatabaseState, EvictionReason } from './db/database-state.js';
export type {
  DatabaseHandle,
  DatabaseSchema,
  DatabaseStoreName,
  DefineDatabaseOptions,
} from './db/define-database.js';
export { defineDatabase } from './db/define-database.js';
export type { HintStorage } from './db/eviction-hint.js';
export type { TransactionOptions } from './idb/open-transaction.js';

// --- upversion

export type { DeclaredIndex, DeclaredStore } from './upversion/declare-schema.js';
export type { MarkerRecord, SchemaRecord, UpgradeReportRecord } from './upversion/meta-records.js';
export type {
  IndexSpec,
  KeyPath,
  LatestVersionSpec,
  Migration,
  MigrationContext,
  RecordMigration,
  StoreKind,
  StoreSpec,
  TypedStoreSpec,
  VersionList,
  VersionSpec,
} from './upversion/schema-types.js';
export { REMOVE_RECORD } from './upversion/schema-types.js';
export type { SystemSchema, SystemStoreName, SystemStoreTypes } from './upversion/system-stores.js';
export type { UpgradeReport } from './upversion/upgrade-report.js';

// (end of upversion: a detached comment, so the formatter sorts each section on its own)

// --- protocol
export type { ErrorBody, ErrorCode } from './protocol/error-codes.js';
export {
  ERROR_CODES,
  errorBody,
  errorBodySchema,
  errorCodes,
  isKnownErrorCode,
} from './protocol/error-codes.js';
export type {
  Capabilities,
  Change,
  CollectionInfo,
  Mutation,
  MutationResult,
  Poke,
  PullFilter,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  RecordValue,
  RejectReason,
  SchemaAccess,
  SseHello,
  TransportKind,
  WsClientMessage,
  WsMessage,
  WsServerMessage,
} from './protocol/messages.js';
export {
  capabilitiesSchema,
  changeSchema,
  collectionInfoSchema,
  collectionNameSchema,
  mutationResultSchema,
  mutationSchema,
  pokeSchema,
  pullFilterSchema,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  recordIdSchema,
  recordValueSchema,
  rejectReasonSchema,
  revSchema,
  SSE_EVENTS,
  schemaAccessSchema,
  sseHelloSchema,
  transportKindSchema,
  WS_CLOSE_CODES,
  wsClientMessageSchema,
  wsMessageSchema,
  wsServerMessageSchema,
} from './protocol/messages.js';
export {
  PROTOCOL_BASE_PATH,
  PROTOCOL_HEADERS,
  PROTOCOL_LIMITS,
  PROTOCOL_PATHS,
  PROTOCOL_QUERY,
  PROTOCOL_VERSION,
} from './protocol/version.js';

// --- transport
export type { HttpClientOptions, HttpRetryOptions } from './transport/http-client.js';
export type { HttpSyncTransport, HttpTransportOptions } from './transport/http-transport.js';
export { createHttpTransport } from './transport/http-transport.js';
export type {
  GetToken,
  GetTokenOptions,
  ServerEvent,
  ServerEventSource,
  SyncTransport,
  TransportLogEntry,
  TransportLogger,
} from './transport/sync-transport.js';
export type {
  WebSocketConstructor,
  WebSocketLike,
  WebSocketSyncTransport,
  WebSocketTransportOptions,
} from './transport/web-socket-transport.js';
export { createWebSocketTransport } from './transport/web-socket-transport.js';

// --- sync (a detached header: the formatter sorts this section on its own)

export type { CollectionKind, CollectionPlan, PlanReason, SyncMode } from './sync/collection-plan.js';
export type {
  Conflict,
  ConflictResolution,
  ConflictResolver,
  ConflictSide,
  ConflictStrategy,
  CustomStrategy,
  LastWriteWinsStrategy,
  MergeStrategy,
} from './sync/conflict-strategy.js';
export type { ConflictLogEntry } from './sync/internal-stores.js';
export type { SyncProgress } from './sync/run-context.js';
export type {
  CollectionSummary,
  PushSummary,
  RunOutcome,
  RunSummary,
  RunTimings,
} from './sync/run-summary.js';
export type { SyncChange } from './sync/sync-change.js';
export type { SyncClient, SyncRequestOptions } from './sync/sync-client.js';
export { createSyncClient } from './sync/sync-client.js';
export type { SyncDatabase } from './sync/sync-database.js';
export type { LockManagerLike } from './sync/sync-lock.js';
export type { SyncLogEntry, SyncStatus } from './sync/sync-log.js';
export type { CollectionOptions, SyncClientOptions, SyncCollections } from './sync/sync-options.js';

// (end of sync: a detached comment, so the formatter sorts each section on its own)

export { UnpushedWritesError } from './errors/unpushed-writes-error.js';
// --- listeners
export type { BackoffOptions } from './listeners/backoff.js';
export type {
  ChangeFeed,
  ChangeFeedOptions,
  FeedChange,
  FeedDatabase,
  FeedReadTransaction,
} from './listeners/change-feed.js';
export { changeFeed } from './listeners/change-feed.js';
export type {
  ConnectionManager,
  ConnectionManagerOptions,
} from './listeners/connection-manager.js';
export { connectionManager } from './listeners/connection-manager.js';
export type { BrowserGlobals, ListenerEnvironment } from './listeners/environment.js';
export { browserEnvironment } from './listeners/environment.js';
export type { PollingListenerOptions } from './listeners/polling-listener.js';
export { pollingListener } from './listeners/polling-listener.js';
export type {
  ConnectionKind,
  PullOutcome,
  PullSignal,
  PullSignalReason,
} from './listeners/pull-signal.js';
export type { SchedulingOptions } from './listeners/scheduling-options.js';
export type { SseListenerOptions } from './listeners/sse-listener.js';
export { sseListener } from './listeners/sse-listener.js';
export type { WebSocketListenerOptions } from './listeners/web-socket-listener.js';
export { webSocketListener } from './listeners/web-socket-listener.js';
// --- query
export type { LookupPosition } from './query/lookup-cursor.js';
export type { LookupTokenOptions } from './query/lookup-tokens.js';
export { lookupTokens, lookupWords } from './query/lookup-tokens.js';
export type {
  LookupFilter,
  LookupPage,
  LookupQuery,
  TokenIndexName,
} from './query/search-lookup.js';
export { searchLookup } from './query/search-lookup.js';
// --- session
export { userDatabaseName } from './session/database-name.js';
export type {
  Session,
  SessionOptions,
  SignOutOptions,
  SignOutReport,
} from './session/open-session.js';
export { openSession } from './session/open-session.js';
