import { DatabaseClosedError } from '../errors/database-closed-error.js';
import { type IdbSyncError, isIdbSyncError } from '../errors/idb-sync-error.js';
import { TransactionAbortedError } from '../errors/transaction-aborted-error.js';
import { TransactionCallbackError } from '../errors/transaction-callback-error.js';
import { domExceptionName, isDomExceptionLike, wrapDomException } from '../errors/wrap-dom-exception.js';

/** Where a transaction ran, for its errors. */
export interface TransactionContext {
  readonly database: string;
  readonly stores: readonly string[];
  readonly operation: string;
}

/** How a transaction ended badly, as seen once it finished. */
export interface FailedTransaction {
  /** The transaction aborted (rather than committed). */
  readonly aborted: boolean;
  /** `transaction.error`: null when the transaction was aborted by `abort()`. */
  readonly txError: { readonly name: string } | null;
  /** What the callback threw, if it threw. */
  readonly thrown: { readonly error: unknown } | undefined;
  /** The handle saw the connection close or change meanwhile. */
  readonly connectionDead: boolean;
}

// The names a lost connection shows up as: Safari's "Connection to Indexed Database server lost"
// (UnknownError), a transaction aborted by a forced close (AbortError), or a closed connection.
const connectionLoss = new Set(['UnknownError', 'AbortError', 'InvalidStateError']);

/**
 * Turns a failed transaction into its typed error, and says whether a retry on a fresh connection
 * may help: only when the connection was lost (the transaction aborted with `UnknownError` /
 * `AbortError`, or while the connection was known dead). A transaction the callback aborted, or one
 * that failed on its own (a constraint, the quota), is never retried.
 */
export function classifyFailure(
  context: TransactionContext,
  failed: FailedTransaction,
): { ok: false; error: IdbSyncError; retry: boolean } {
  const { txError, thrown } = failed;
  if (failed.aborted) {
    if (txError && (connectionLoss.has(txError.name) || failed.connectionDead)) {
      return { ok: false, error: new DatabaseClosedError(context, txError), retry: true };
    }
    if (txError) return { ok: false, error: wrapDomException(txError, context), retry: false };
    // No transaction error: `fn` threw (and we aborted) or `fn` itself called abort().
    if (!thrown || domExceptionName(thrown.error) === 'AbortError') {
      return { ok: false, error: new TransactionAbortedError(context, thrown?.error), retry: false };
    }
  }
  return { ok: false, error: callbackError(context, thrown?.error), retry: false };
}

/** What a transaction callback threw, typed: the SDK's own errors as they are, DOMExceptions wrapped. */
function callbackError(context: TransactionContext, error: unknown): IdbSyncError {
  if (isIdbSyncError(error)) return error;
  if (isDomExceptionLike(error)) return wrapDomException(error, context);
  return new TransactionCallbackError(context.database, context.stores, context.operation, error);
}
