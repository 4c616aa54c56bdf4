import type { AuthError } from './auth-error.js';
import type { ConflictResolverError } from './conflict-resolver-error.js';
import type { ConstraintViolationError } from './constraint-violation-error.js';
import type { DatabaseClosedError } from './database-closed-error.js';
import type { DatabaseVersionError } from './database-version-error.js';
import type { DeleteBlockedError } from './delete-blocked-error.js';
import type { IndexedDBError } from './indexeddb-error.js';
import type { IndexedDBUnavailableError } from './indexeddb-unavailable-error.js';
import type { InvalidDataError } from './invalid-data-error.js';
import type { InvalidKeyError } from './invalid-key-error.js';
import type { InvalidRecordError } from './invalid-record-error.js';
import type { InvalidResponseError } from './invalid-response-error.js';
import type { MutationRejectedError } from './mutation-rejected-error.js';
import type { NetworkError } from './network-error.js';
import type { OpenTimeoutError } from './open-timeout-error.js';
import type { RecordTransformError } from './record-transform-error.js';
import type { RequestRejectedError } from './request-rejected-error.js';
import type { ResetRequiredError } from './reset-required-error.js';
import type { SchemaDefinitionError } from './schema-definition-error.js';
import type { SchemaMismatchError } from './schema-mismatch-error.js';
import type { ServerError } from './server-error.js';
import type { StorageQuotaError } from './storage-quota-error.js';
import type { TransactionAbortedError } from './transaction-aborted-error.js';
import type { TransactionCallbackError } from './transaction-callback-error.js';
import type { UnpushedWritesError } from './unpushed-writes-error.js';
import type { UpgradeBlockedError } from './upgrade-blocked-error.js';
import type { UpgradeFailedError } from './upgrade-failed-error.js';
import type { UpgradeRequiredError } from './upgrade-required-error.js';
import type { WriteRefusedError } from './write-refused-error.js';

/**
 * Every error kind idb-sync throws, by its stable `code`. `isIdbSyncError(error, code)` narrows to
 * the class listed here. A new kind is one file in `src/errors/` (a class extending
 * `IdbSyncError` with `readonly code = 'X' as const`) plus one line here; a class whose code is
 * missing here does not compile.
 */
export interface IdbSyncErrorMap {
  /** The server refused the credentials, also after one token refresh. */
  AUTH_FAILED: AuthError;
  /** A custom conflict resolver threw; its write stays in the outbox. */
  CONFLICT_RESOLVER_FAILED: ConflictResolverError;
  /** A duplicate key or unique index value (`ConstraintError`). */
  CONSTRAINT_VIOLATION: ConstraintViolationError;
  /** The connection was lost and the one retry on a fresh one failed too. */
  DATABASE_CLOSED: DatabaseClosedError;
  /** Another tab upgraded the database past this code and changed its stores: reload. */
  DATABASE_VERSION_TOO_OLD: DatabaseVersionError;
  /** `deleteDatabase` stayed blocked by another connection for its timeout. */
  DELETE_BLOCKED: DeleteBlockedError;
  /** Any other IndexedDB failure (`domExceptionName` says which). */
  INDEXEDDB_ERROR: IndexedDBError;
  /** No usable IndexedDB: missing, access denied, or the open refused. */
  INDEXEDDB_UNAVAILABLE: IndexedDBUnavailableError;
  /** An invalid key, a missing key path value or an uncloneable value (`DataError`, `DataCloneError`). */
  INVALID_DATA: InvalidDataError;
  /** A key of the wrong type for a synced store, written locally or pulled. */
  INVALID_KEY: InvalidKeyError;
  /** A collection that is not a synced store, or a transform option that is not a function. */
  INVALID_RECORD: InvalidRecordError;
  /** A server answer that is not valid protocol; nothing of it was used. */
  INVALID_RESPONSE: InvalidResponseError;
  /** An invalid declaration given to `defineDatabase`. */
  INVALID_SCHEMA: SchemaDefinitionError;
  /** The server refused a write for good; it was rolled back. */
  MUTATION_REJECTED: MutationRejectedError;
  /** Offline, unreachable, timed out, or the connection was lost. */
  NETWORK_ERROR: NetworkError;
  /** The open answered nothing for `openTimeoutMs`. */
  OPEN_TIMEOUT: OpenTimeoutError;
  /** A `fromServer` or `toServer` transform threw or returned no record. */
  RECORD_TRANSFORM_FAILED: RecordTransformError;
  /** The server refused a request with a protocol code (a 4xx other than auth and upgrade). */
  REQUEST_REJECTED: RequestRejectedError;
  /** The server can no longer serve a checkpoint: the collection is fully synced again. */
  RESET_REQUIRED: ResetRequiredError;
  /** The live database differs from the declaration at the same version: bump the version. */
  SCHEMA_MISMATCH: SchemaMismatchError;
  /** The server (or a proxy) failed: a 5xx. */
  SERVER_ERROR: ServerError;
  /** The browser refused to store more (`QuotaExceededError`). */
  STORAGE_QUOTA_EXCEEDED: StorageQuotaError;
  /** The transaction was aborted, by `abort()` or by the browser. */
  TRANSACTION_ABORTED: TransactionAbortedError;
  /** A `read`/`write` callback threw; its transaction was aborted. */
  TRANSACTION_CALLBACK_FAILED: TransactionCallbackError;
  /** `signOut()` would drop writes it could not push (nothing was deleted). */
  UNPUSHED_WRITES: UnpushedWritesError;
  /** Another connection kept the old version open for `blockedTimeoutMs`. */
  UPGRADE_BLOCKED: UpgradeBlockedError;
  /** A migration, an index, a rebuild or the quota failed the upgrade; the old version is kept. */
  UPGRADE_FAILED: UpgradeFailedError;
  /** The server no longer accepts this app version (read-only or refused). */
  UPGRADE_REQUIRED: UpgradeRequiredError;
  /** A write the outbox cannot record, or a write to a lookup store without `localOnly`. */
  WRITE_REFUSED: WriteRefusedError;
}

/** The stable code of an idb-sync error (`error.code`). */
export type IdbSyncErrorCode = keyof IdbSyncErrorMap;
