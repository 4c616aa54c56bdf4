import { IdbSyncError } from './idb-sync-error.js';

/** Where an IndexedDB error happened; every error made from a DOMException carries it. */
export interface IndexedDBErrorContext {
  /** The database name. */
  readonly database: string;
  /** The object stores of the transaction or request, when known. */
  readonly stores?: readonly string[];
  /** What the SDK was doing (`open`, `read`, `write`, `delete`, …), when known. */
  readonly operation?: string;
}

/** Describes an operation for an error message: `write on [a, b]`. Never includes record contents. */
export function describeOperation(context: IndexedDBErrorContext): string {
  const stores = context.stores?.length ? ` on [${context.stores.join(', ')}]` : '';
  return `${context.operation ?? 'operation'}${stores} in database "${context.database}"`;
}

/**
 * An IndexedDB failure with no more specific kind (`UnknownError`, `NotFoundError`,
 * `TransactionInactiveError`, `ReadOnlyError`, …). `domExceptionName` keeps the browser's name.
 */
export class IndexedDBError extends IdbSyncError {
  override readonly name = 'IndexedDBError' as const;
  readonly code = 'INDEXEDDB_ERROR' as const;
  /** The database name. */
  declare readonly database: string;
  /** The object stores of the transaction or request (empty when unknown). */
  declare readonly stores: readonly string[];
  /** What the SDK was doing (`open`, `read`, `write`, …), when known. */
  declare readonly operation: string | undefined;

  /** The DOMException name the browser reported (for example `UnknownError`). */
  declare readonly domExceptionName: string;

  constructor(context: IndexedDBErrorContext, domExceptionName: string, cause?: unknown) {
    super(`${describeOperation(context)} failed with ${domExceptionName}${hint(domExceptionName)}`, {
      cause,
    });
    this.domExceptionName = domExceptionName;
    this.database = context.database;
    this.stores = context.stores ?? [];
    this.operation = context.operation;
  }
}

function hint(name: string): string {
  // The commonest misuse on Safari and indexeddbshim: awaiting something else inside a transaction.
  return name === 'TransactionInactiveError'
    ? ': the transaction finished before this request; issue all requests before awaiting anything else'
    : '';
}
