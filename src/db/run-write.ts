import type { IDBPTransaction } from 'idb';
import { TransactionAbortedError } from '../errors/transaction-aborted-error.js';
import { WriteRefusedError } from '../errors/write-refused-error.js';
import type { ConnectionSource } from '../idb/connection.js';
import { runTransaction } from '../idb/run-transaction.js';
import { OUTBOX_STORES } from '../sync/write-local.js';
import type { DeclaredStore } from '../upversion/declare-schema.js';
import type { WrittenChange } from './database-changes.js';
import { WriteAttempt } from './write-transaction.js';
import type { PutOptions, WriteOptions } from './write-types.js';

type WriteTransaction = IDBPTransaction<unknown, string[], 'readwrite'>;
type StoreWriter = {
  put(value: unknown, key?: IDBValidKey): Promise<IDBValidKey>;
  delete(query: IDBValidKey | IDBKeyRange): Promise<void>;
};

/** What a write needs of the handle: its connections, its declared stores, and where changes go. */
export interface WriteTarget extends ConnectionSource {
  readonly stores: Readonly<Record<string, DeclaredStore>>;
  readonly revField: string;
  /** Announces committed changes on the handle's `changes$`. */
  announce(changes: readonly WrittenChange[]): void;
}

/**
 * From how many records a bulk write reads the store's pending outbox entries at once, instead of
 * looking up each record's.
 */
const BULK_SCAN_FROM = 8;

/**
 * Runs `fn` in a readwrite transaction whose stores sync their writes (see {@link WriteAttempt});
 * a transaction with a transactional store also holds the outbox stores. Announces the committed
 * changes. A synced write that failed in a request callback rejects with its own error.
 */
export async function runWrite<R>(
  target: WriteTarget,
  stores: readonly string[],
  fn: (tx: WriteTransaction, attempt: WriteAttempt) => R | PromiseLike<R>,
  options: WriteOptions = {},
): Promise<R> {
  const { localOnly = false, ...txOptions } = options;
  const synced = stores.some((name) => target.stores[name]?.kind === 'transactional');
  const scope = synced ? [...new Set([...stores, ...OUTBOX_STORES])] : stores;
  let attempt: WriteAttempt | undefined;
  try {
    const result = await runTransaction(
      target,
      scope,
      'readwrite',
      (raw) => {
        attempt = new WriteAttempt(raw, {
          stores: target.stores,
          requested: stores,
          localOnly,
          revField: target.revField,
        });
        return fn(attempt.tx, attempt);
      },
      txOptions,
    );
    if (attempt !== undefined) target.announce(attempt.changes);
    return result;
  } catch (error) {
    const failure = attempt?.writer.failure;
    if (failure !== undefined && error instanceof TransactionAbortedError) throw failure.error;
    throw error;
  }
}

/** `put` of the handle: one record in its own transaction. */
export function putOne(target: WriteTarget, store: string, value: unknown, options: PutOptions = {}) {
  checkSingleStore(target, store, 'put()', options);
  const { key, ...rest } = options;
  return runWrite(
    target,
    [store],
    (tx) => (tx.objectStore(store) as unknown as StoreWriter).put(value, key),
    rest,
  );
}

/** `delete` of the handle: a key or a range, in its own transaction. */
export async function deleteOne(
  target: WriteTarget,
  store: string,
  query: IDBValidKey | IDBKeyRange,
  options: WriteOptions = {},
): Promise<void> {
  checkSingleStore(target, store, 'delete()', options);
  await runWrite(
    target,
    [store],
    (tx) => (tx.objectStore(store) as unknown as StoreWriter).delete(query),
    options,
  );
}

/** `bulkPut` of the handle: many records, one transaction. */
export function bulkPut(
  target: WriteTarget,
  store: string,
  values: readonly unknown[],
  options: WriteOptions = {},
): Promise<IDBValidKey[]> {
  const keyPath = target.stores[store]?.keyPath;
  const keyOf = (value: unknown) =>
    typeof keyPath === 'string' && typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)[keyPath]
      : undefined;
  return bulkWrite(target, store, 'bulkPut()', values, keyOf, (writer, value) => writer.put(value), options);
}

/** `bulkDelete` of the handle: many keys, one transaction. */
export async function bulkDelete(
  target: WriteTarget,
  store: string,
  keys: readonly IDBValidKey[],
  options: WriteOptions = {},
): Promise<void> {
  await bulkWrite(
    target,
    store,
    'bulkDelete()',
    keys,
    (key) => key,
    (writer, key) => writer.delete(key),
    options,
  );
}

/** Many writes to one store in one transaction, telling the outbox which records to expect. */
function bulkWrite<T, R>(
  target: WriteTarget,
  store: string,
  call: string,
  items: readonly T[],
  keyOf: (item: T) => unknown,
  write: (writer: StoreWriter, item: T) => Promise<R>,
  options: WriteOptions,
): Promise<R[]> {
  checkSingleStore(target, store, call, options);
  return runWrite(
    target,
    [store],
    (tx, attempt) => {
      if (items.length > BULK_SCAN_FROM) attempt.expectMany(store, items.map(keyOf));
      const writer = tx.objectStore(store) as unknown as StoreWriter;
      return Promise.all(items.map((item) => write(writer, item)));
    },
    options,
  );
}

/**
 * Refuses a single-store write before opening anything: `localOnly` on a transactional store (it
 * would be synced anyway: a mistake), or a lookup store without it.
 */
function checkSingleStore(
  target: WriteTarget,
  store: string,
  operation: string,
  options: WriteOptions,
): void {
  const kind = target.stores[store]?.kind;
  if (options.localOnly === true && kind === 'transactional') {
    throw new WriteRefusedError(store, operation, 'local-only-synced', `${operation} without localOnly`);
  }
  if (options.localOnly !== true && kind === 'lookup') {
    throw new WriteRefusedError(
      store,
      operation,
      'lookup-store',
      `${operation} with { localOnly: true } for a deliberate local-only change (a pull may overwrite it)`,
    );
  }
}
