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
  AUTH_FAILED: AuthError;
  CONFLICT_RESOLVER_FAILED: ConflictResolverError;
  CONSTRAINT_VIOLATION: ConstraintViolationError;
  DATABASE_CLOSED: DatabaseClosedError;
  DATABASE_VERSION_TOO_OLD: DatabaseVersionError;
  DELETE_BLOCKED: DeleteBlockedError;
  INDEXEDDB_ERROR: IndexedDBError;
  INDEXEDDB_UNAVAILABLE: IndexedDBUnavailableError;
  INVALID_DATA: InvalidDataError;
  INVALID_KEY: InvalidKeyError;
  INVALID_RECORD: InvalidRecordError;
  INVALID_RESPONSE: InvalidResponseError;
  INVALID_SCHEMA: SchemaDefinitionError;
  MUTATION_REJECTED: MutationRejectedError;
  NETWORK_ERROR: NetworkError;
  OPEN_TIMEOUT: OpenTimeoutError;
  RECORD_TRANSFORM_FAILED: RecordTransformError;
  REQUEST_REJECTED: RequestRejectedError;
  RESET_REQUIRED: ResetRequiredError;
  SCHEMA_MISMATCH: SchemaMismatchError;
  SERVER_ERROR: ServerError;
  STORAGE_QUOTA_EXCEEDED: StorageQuotaError;
  TRANSACTION_ABORTED: TransactionAbortedError;
  TRANSACTION_CALLBACK_FAILED: TransactionCallbackError;
  UNPUSHED_WRITES: UnpushedWritesError;
  UPGRADE_BLOCKED: UpgradeBlockedError;
  UPGRADE_FAILED: UpgradeFailedError;
  UPGRADE_REQUIRED: UpgradeRequiredError;
  WRITE_REFUSED: WriteRefusedError;
}

/** The stable code of an idb-sync error (`error.code`). */
export type IdbSyncErrorCode = keyof IdbSyncErrorMap;
