import type { IDBPObjectStore, IDBPTransaction, StoreKey, StoreNames, StoreValue } from 'idb';
import type { TransactionOptions } from '../idb/open-transaction.js';
import type { StoreKind } from '../upversion/schema-types.js';

// The write API's types. A schema entry may declare its store's kind beside `key` and `value`
// (`work_orders: { key: string; value: WorkOrder; kind: 'transactional' }`); then the compiler
// knows which writes are synced, refused or plain. Without it every kind is possible, and the
// same rules are enforced when the write runs.

/** The kind the schema type declares for store `N`: every kind when it declares none, `local` for system stores. */
export type StoreKindOf<S, N> = unknown extends S
  ? StoreKind
  : N extends keyof S
    ? S[N] extends { readonly kind: infer K extends StoreKind }
      ? K
      : StoreKind
    : 'local';

/** Options of a write transaction. */
export interface WriteOptions extends TransactionOptions {
  /**
   * Allow writes to `lookup` stores (server-owned reference data), which are refused otherwise:
   * the change stays on this device and the next pull that reaches the record may overwrite it.
   * Writes to `transactional` stores are synced whatever this says (a single-store write to one
   * with `localOnly: true` is refused). Default `false`.
   */
  readonly localOnly?: boolean;
}

/** Options of `put`: a key for a store with out-of-line keys (`local` stores only). */
export interface PutOptions<K = IDBValidKey> extends WriteOptions {
  /** The record's key, for a store without a key path. Synced stores keep the key in the record. */
  readonly key?: K;
}

/**
 * The options argument of a single-store write, by the store's kind: required with
 * `localOnly: true` for a lookup store, without `localOnly` (or a key) for a transactional store.
 */
export type WriteArgs<S, N, O extends WriteOptions> =
  StoreKindOf<S, N> extends 'lookup'
    ? [options: O & { readonly localOnly: true }]
    : StoreKindOf<S, N> extends 'transactional'
      ? [options?: WriteOptions & { readonly localOnly?: false }]
      : [options?: O];

/**
 * A store of a synced (`transactional`) store in a write transaction: `put`, `add` and `delete`
 * record their outbox entry in the same transaction; reads are those of idb; `clear()`, cursor
 * writes and out-of-line keys are not available (they could not reach the server).
 */
export type SyncedWriteStore<
  Schema,
  N extends ArrayLike<StoreNames<Schema>>,
  K extends StoreNames<Schema>,
> = Omit<IDBPObjectStore<Schema, N, K, 'readonly'>, 'put' | 'add' | 'delete' | 'clear'> & {
  /** Writes the record and its outbox entry; resolves with its key once written (not yet committed). */
  put(value: StoreValue<Schema, K>): Promise<StoreKey<Schema, K>>;
  /** Like `put`, failing with a `ConstraintError` (aborting the transaction) when the key exists. */
  add(value: StoreValue<Schema, K>): Promise<StoreKey<Schema, K>>;
  /** Deletes the record (or each record in a range), each delete recorded in the outbox. */
  delete(query: StoreKey<Schema, K> | IDBKeyRange): Promise<void>;
};

/** What `tx.objectStore(name)` gives in a write transaction, by the store's kind. */
export type WriteStore<S, Schema, N extends ArrayLike<StoreNames<Schema>>, K extends StoreNames<Schema>, O> =
  StoreKindOf<S, K> extends 'transactional'
    ? SyncedWriteStore<Schema, N, K>
    : StoreKindOf<S, K> extends 'lookup'
      ? O extends { readonly localOnly: true }
        ? IDBPObjectStore<Schema, N, K, 'readwrite'>
        : IDBPObjectStore<Schema, N, K, 'readonly'>
      : IDBPObjectStore<Schema, N, K, 'readwrite'>;

/**
 * The transaction a `write(stores, fn)` callback gets: idb's, with stores that sync their writes,
 * without `tx.db` (its shortcuts would write outside this transaction, and past the outbox).
 * `S` is the app schema, `Schema` the schema with the system stores.
 */
export type WriteTransaction<S, Schema, N extends ArrayLike<StoreNames<Schema>>, O = unknown> = Omit<
  IDBPTransaction<Schema, N, 'readwrite'>,
  'objectStore' | 'store' | 'db'
> & {
  /** A store of the transaction (see {@link WriteStore}). */
  objectStore<K extends N[number]>(name: K): WriteStore<S, Schema, N, K, O>;
  /** The store, when the transaction has a single one. */
  readonly store: N[1] extends undefined ? WriteStore<S, Schema, N, N[0], O> : undefined;
};
