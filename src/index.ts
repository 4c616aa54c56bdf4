/**
 * The entry for app developers: declare a database ({@link defineDatabase}), sync it live with a
 * server ({@link createSyncClient}), search reference data ({@link searchLookup}), give each user
 * their own database ({@link openSession}), and recognise every error ({@link isIdbSyncError}).
 *
 * @module idb-sync
 */

// `idb-sync`: the entry for app developers. Every public name is listed here (`export type` for
// types); nothing else is exported. Other audiences have subpaths: `idb-sync/transport` (transports,
// listeners, connection manager, environment: the building blocks), `idb-sync/protocol` (wire
// schemas, codes, version: server implementers). Do not add names here lightly: this entry is kept
// to about 40 runtime values. Keep sections in this order; add names to your area's section.

export type { AuthError } from './errors/auth-error.js';
export type { ConflictResolverError } from './errors/conflict-resolver-error.js';
export type { ConstraintViolationError } from './errors/constraint-violation-error.js';
export type { DatabaseClosedError } from './errors/database-closed-error.js';
export type { DatabaseVersionError } from './errors/database-version-error.js';
export type { DeleteBlockedError } from './errors/delete-blocked-error.js';
// --- errors: one base class, one guard; the kinds are types (narrowed by `isIdbSyncError(e, code)`)
export type { IdbSyncErrorCode, IdbSyncErrorMap } from './errors/error-map.js';
export { IdbSyncError, isIdbSyncError } from './errors/idb-sync-error.js';
export type { IndexedDBError, IndexedDBErrorContext } from './errors/indexeddb-error.js';
export type {
  IndexedDBUnavailableError,
  IndexedDBUnavailableReason,
} from './errors/indexeddb-unavailable-error.js';
export type { InvalidDataError } from './errors/invalid-data-error.js';
export type { InvalidKeyError } from './errors/invalid-key-error.js';
export type { InvalidRecordError } from './errors/invalid-record-error.js';
export type {
  InvalidResponseError,
  InvalidResponseIssue,
  InvalidResponseProblem,
} from './errors/invalid-response-error.js';
export type { MutationRejectedError } from './errors/mutation-rejected-error.js';
export type { NetworkError, NetworkErrorReason } from './errors/network-error.js';
export type { OpenTimeoutError } from './errors/open-timeout-error.js';
export type { RecordTransform, RecordTransformError } from './errors/record-transform-error.js';
export type { RequestRejectedError } from './errors/request-rejected-error.js';
export type { ResetRequiredError } from './errors/reset-required-error.js';
export type { SchemaDefinitionError } from './errors/schema-definition-error.js';
export type { SchemaMismatchError } from './errors/schema-mismatch-error.js';
export type { ServerError } from './errors/server-error.js';
export type { StorageQuotaError } from './errors/storage-quota-error.js';
export type { TransactionAbortedError } from './errors/transaction-aborted-error.js';
export type { TransactionCallbackError } from './errors/transaction-callback-error.js';
export type { UnpushedWritesError } from './errors/unpushed-writes-error.js';
export type { UpgradeBlockedError } from './errors/upgrade-blocked-error.js';
export type { UpgradeFailedError } from './errors/upgrade-failed-error.js';
export type { UpgradeRequiredError } from './errors/upgrade-required-error.js';
export type { WriteRefusedError, WriteRefusedReason } from './errors/write-refused-error.js';

// --- db (a detached header: the formatter sorts each section on its own)

export type { DBSchema } from 'idb';
export type { ChangeOrigin, DatabaseChange, StoreChange } from './db/database-changes.js';
export type { DatabaseEvent, DatabaseState, EvictionReason } from './db/database-state.js';
export type {
  DatabaseHandle,
  DatabaseSchema,
  DatabaseStoreName,
  DefineDatabaseOptions,
  ReadTransaction,
  WritableStoreName,
} from './db/define-database.js';
export { defineDatabase } from './db/define-database.js';
export type { HintStorage } from './db/eviction-hint.js';
export type {
  PutOptions,
  StoreKindOf,
  SyncedWriteStore,
  WriteArgs,
  WriteOptions,
  WriteStore,
  WriteTransaction,
} from './db/write-types.js';
export type { TransactionOptions } from './idb/open-transaction.js';

// --- upversion

export type { DeclaredIndex, DeclaredStore } from './upversion/declare-schema.js';
export type { MarkerRecord, SchemaRecord, UpgradeReportRecord } from './upversion/meta-records.js';
export type {
  IndexSpec,
  KeyPath,
  KeyType,
  KindAndKeySpec,
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

// --- sync (the transport types a client's options name; the transports are in idb-sync/transport)

export type { ConnectionKind, PullOutcome } from './listeners/pull-signal.js';
export type { RecordValue } from './protocol/messages.js';
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
export type { ConflictLogEntry, StoreConflictLogEntry } from './sync/internal-stores.js';
export type { SyncProgress } from './sync/run-context.js';
export type {
  CollectionSummary,
  PushSummary,
  RunOutcome,
  RunSummary,
  RunTimings,
} from './sync/run-summary.js';
export type { SkippedRecord, SkipReason } from './sync/skipped-log.js';
export type { CollectionName, LiveSyncClient, SyncClient, SyncRequestOptions } from './sync/sync-client.js';
export { createSyncClient } from './sync/sync-client.js';
export type { LockManagerLike } from './sync/sync-lock.js';
export type { SyncLogEntry, SyncStatus } from './sync/sync-log.js';
export type {
  CollectionOptions,
  LiveSyncClientOptions,
  SyncClientBaseOptions,
  SyncClientOptions,
  SyncCollections,
} from './sync/sync-options.js';
export type { RetryOptions } from './transport/retry-policy.js';
export type { GetToken, GetTokenOptions, SyncTransport } from './transport/sync-transport.js';

// --- the one-call client's channels and environment (a detached header, as above)

export type { BrowserGlobals, SyncEnvironment } from './listeners/environment.js';
export { browserEnvironment } from './listeners/environment.js';
export type { TransportsOptions } from './listeners/live-connection.js';

// --- live queries (a method of the database handle: `appDb.live(stores, fn)`)

export type { LiveQueryOptions } from './live/live-query.js';

// --- streams: the SDK's own minimal Observable (rxjs operators: `from(stream).pipe(...)` of rxjs)

export type { Clock } from './rx/clock.js';
export type {
  Observable,
  Observer,
  Subscribable,
  Subscriber,
  Subscription,
  Teardown,
  Unsubscribable,
} from './rx/observable.js';

// --- query

export type { LookupPosition } from './query/lookup-cursor.js';
export type {
  CountedLookupPage,
  LookupBetweenFilter,
  LookupEqualsFilter,
  LookupFilter,
  LookupOrder,
  LookupPage,
  LookupQuery,
  LookupRangeFilter,
  TokenIndexName,
} from './query/lookup-query.js';
export type { LookupTokenOptions } from './query/lookup-tokens.js';
export { lookupTokens, lookupWords } from './query/lookup-tokens.js';
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
