import type { IDBPTransaction, StoreKey, StoreNames, StoreValue } from 'idb';
import type { TransactionOptions } from '../idb/open-transaction.js';
import type { LiveQueryOptions } from '../live/live-query.js';
import type { Observable } from '../rx/observable.js';
import type { DeclaredStore } from '../upversion/declare-schema.js';
import { declareSchema } from '../upversion/declare-schema.js';
import type { VersionList, VersionSpec } from '../upversion/schema-types.js';
import type { SystemSchema } from '../upversion/system-stores.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';
import type { DatabaseChange } from './database-changes.js';
import { LazyDatabase } from './database-handle.js';
import type { DatabaseEvent, DatabaseState } from './database-state.js';
import type { HintStorage } from './eviction-hint.js';
import type { PutOptions, WriteArgs, WriteOptions, WriteTransaction } from './write-types.js';

/** The app's schema plus the SDK's system stores (untyped when no schema type is given). */
export type DatabaseSchema<S> = unknown extends S ? unknown : S & SystemSchema;

/** Store names usable with a handle: the app's and the system stores. */
export type DatabaseStoreName<S> = StoreNames<DatabaseSchema<S>>;

/**
 * Store names a handle writes: the app's stores. The SDK's internal stores (`_outbox`, `_meta`, …:
 * names starting with `_`) can be read, and are written by the SDK only.
 */
export type WritableStoreName<S> = Exclude<DatabaseStoreName<S>, `_${string}`>;

/**
 * The transaction a `read(stores, fn)` or `live(stores, fn)` callback gets: idb's promise style
 * (`IDBPTransaction`: `await tx.objectStore(name).get(key)`, cursors, `for await`, `tx.done`),
 * typed by the schema. `Schema` is the schema with the system stores ({@link DatabaseSchema}).
 * Without idb's `tx.db`, whose shortcuts (`db.put(…)`) would run transactions of their own.
 */
export type ReadTransaction<Schema, N extends ArrayLike<StoreNames<Schema>>> = Omit<
  IDBPTransaction<Schema, N, 'readonly'>,
  'db'
>;

/** Options of {@link defineDatabase}. Only `name` and `versions` are required. */
export interface DefineDatabaseOptions<S = unknown> {
  /** The IndexedDB database name. */
  readonly name: string;
  /**
   * Every version, oldest first, each with the FULL set of app stores at that version. The last one
   * is typed from the schema `S`. Keep old versions as long as devices may still have them: their
   * migrations bring old data forward.
   */
  readonly versions: VersionList<S>;
  /** How long an upgrade may stay blocked by another tab before `UpgradeBlockedError`. Default 10 000 ms. */
  readonly blockedTimeoutMs?: number;
  /** How long an open may give no answer at all before `OpenTimeoutError`. Default 30 000 ms. */
  readonly openTimeoutMs?: number;
  /** Default timeout of `deleteDatabase()` (and of operations waiting for it). Default 10 000 ms. */
  readonly deleteTimeoutMs?: number;
  /** Records per page for migrations and store rebuilds. Default 500. */
  readonly migrationBatchSize?: number;
  /** How long one page of an async migration may take to settle. Default 30 000 ms. */
  readonly migrationSettleTimeoutMs?: number;
  /**
   * After the browser drops a connection (`close` event), how long a transaction on it may take to
   * report how it ended before the operation is retried on a fresh connection (Safari can leave such
   * transactions unfinished forever). Default 2 000 ms.
   */
  readonly lostConnectionGraceMs?: number;
  /** Ask the browser to make storage persistent (`navigator.storage.persist()`) after the first open. Default `false`. */
  readonly persist?: boolean;
  /**
   * Poll `indexedDB.databases()` before the first open (Safari 14 hangs on its first open
   * otherwise). Default: on in Safari, off elsewhere.
   */
  readonly safariOpenFix?: boolean;
  /** The IndexedDB factory. Default: the global `indexedDB`, read at the first operation. */
  readonly indexedDB?: IDBFactory;
  /**
   * Field of each synced record holding its server revision, written by sync (used to push on top
   * of the right revision and to skip records a pull already has). Part of the stored records'
   * layout: keep it when the app evolves. Default `'_rev'`.
   */
  readonly revField?: string;
  /**
   * Where to remember the database's id outside IndexedDB, to tell an evicted database from a first
   * visit. Default `localStorage` when available; `null` turns that part of the detection off.
   */
  readonly evictionHintStorage?: HintStorage | null;
}

/**
 * A lazy, self-healing handle on one IndexedDB database. Nothing opens until the first operation;
 * every operation runs on a live connection (reopening after a versionchange, a lost connection or
 * a deletion) or fails with a typed error — it never waits on a dead connection.
 */
export interface DatabaseHandle<S = unknown> {
  /** The database name. */
  readonly name: string;
  /** The latest declared app version. */
  readonly version: number;
  /** The latest declared app stores (with `kind` and `fingerprint`), by name. */
  readonly stores: Readonly<Record<string, DeclaredStore>>;
  /** The current state (also the current value of `state$`). */
  readonly state: DatabaseState;
  /** The state, replaying the current one to each subscriber. */
  readonly state$: Observable<DatabaseState>;
  /** What happens to the handle (no replay). */
  readonly events$: Observable<DatabaseEvent>;
  /** The report of the last upgrade this handle ran, if any (all reports: {@link upgradeReports}). */
  readonly lastUpgrade: UpgradeReport | undefined;
  /** True from an eviction being detected until {@link acknowledgeEviction}. */
  readonly evicted: boolean;
  /**
   * Opens (and upgrades) the database now rather than at the first operation; resolves once it is
   * open. The connection is the handle's own: reads and writes go through `read`/`write` and the
   * conveniences, which reopen and retry, and which sync every write to a synced store.
   */
  open(): Promise<void>;
  /** Runs `fn` in a fresh readonly transaction (retried once on a dead connection); resolves after it completes. */
  read<const N extends readonly DatabaseStoreName<S>[], R>(
    stores: N,
    fn: (tx: ReadTransaction<DatabaseSchema<S>, N>) => R | PromiseLike<R>,
    options?: TransactionOptions,
  ): Promise<R>;
  /**
   * `read(stores, fn)` as an observable that stays current: `fn` runs in a readonly transaction of
   * `stores` on subscribe and again after those stores change (writes through this handle, other
   * tabs' writes, changes the sync client pulled), and each result is emitted. The changes of a
   * burst (a pulled page, a batch write) re-run it once; runs never overlap, so a result never
   * follows a newer one. Cold: nothing is read until subscribed; unsubscribing stops everything.
   *
   * @example
   * const openOrders$ = appDb.live(['work_orders'], async (tx) =>
   *   (await tx.objectStore('work_orders').getAll()).filter((order) => order.status === 'open'),
   * );
   * const subscription = openOrders$.subscribe((orders) => console.log(orders.length, 'open'));
   * subscription.unsubscribe();
   */
  live<const N extends readonly DatabaseStoreName<S>[], R>(
    stores: N,
    fn: (tx: ReadTransaction<DatabaseSchema<S>, N>) => R | PromiseLike<R>,
    options?: LiveQueryOptions<DatabaseChange<S>>,
  ): Observable<R>;
  /**
   * Runs `fn` in a fresh readwrite transaction (retried once on a dead connection, so `fn` may run
   * twice); resolves after it committed. If `fn` throws, the transaction is aborted and the error
   * comes back typed. Issue every request before awaiting anything but them (Safari).
   *
   * Writes to a `transactional` store through `tx.objectStore(name)` are synced: `put`, `add` and
   * `delete` record their outbox entry in this same transaction. What the outbox cannot record
   * (`clear()`, cursor writes, out-of-line keys) throws `WriteRefusedError`, as do writes to a
   * `lookup` store unless `options.localOnly` is `true`. Writes to `local` stores are plain. The
   * SDK's internal `_` stores are refused (`WriteRefusedError`, reason `internal-store`).
   */
  write<const N extends readonly WritableStoreName<S>[], R, const O extends WriteOptions = WriteOptions>(
    stores: N,
    fn: (tx: WriteTransaction<S, DatabaseSchema<S>, N, O>) => R | PromiseLike<R>,
    options?: O,
  ): Promise<R>;
  /** One record by key (or the first in a range). */
  get<N extends DatabaseStoreName<S>>(
    store: N,
    query: StoreKey<DatabaseSchema<S>, N> | IDBKeyRange,
  ): Promise<StoreValue<DatabaseSchema<S>, N> | undefined>;
  /** All records (optionally in a key range, at most `count`). */
  getAll<N extends DatabaseStoreName<S>>(
    store: N,
    query?: StoreKey<DatabaseSchema<S>, N> | IDBKeyRange | null,
    count?: number,
  ): Promise<StoreValue<DatabaseSchema<S>, N>[]>;
  /** Number of records (optionally in a key range). */
  count<N extends DatabaseStoreName<S>>(
    store: N,
    query?: StoreKey<DatabaseSchema<S>, N> | IDBKeyRange | null,
  ): Promise<number>;
  /**
   * Writes one record; resolves with its key after the transaction committed. On a `transactional`
   * store the write is synced (its outbox entry is in the same transaction); a `lookup` store needs
   * `{ localOnly: true }`.
   */
  put<N extends WritableStoreName<S>>(
    store: N,
    value: StoreValue<DatabaseSchema<S>, N>,
    ...options: WriteArgs<S, N, PutOptions<StoreKey<DatabaseSchema<S>, N>>>
  ): Promise<StoreKey<DatabaseSchema<S>, N>>;
  /** Deletes the record(s) with a key or in a range (synced on a `transactional` store, like `put`). */
  delete<N extends WritableStoreName<S>>(
    store: N,
    query: StoreKey<DatabaseSchema<S>, N> | IDBKeyRange,
    ...options: WriteArgs<S, N, WriteOptions>
  ): Promise<void>;
  /**
   * Writes many records of one store in ONE transaction (one commit), each synced like `put`;
   * resolves with their keys, in order, after the commit. For several stores at once use `write`.
   */
  bulkPut<N extends WritableStoreName<S>>(
    store: N,
    values: readonly StoreValue<DatabaseSchema<S>, N>[],
    ...options: WriteArgs<S, N, WriteOptions>
  ): Promise<StoreKey<DatabaseSchema<S>, N>[]>;
  /** Deletes many records of one store by key in ONE transaction, each synced like `delete`. */
  bulkDelete<N extends WritableStoreName<S>>(
    store: N,
    keys: readonly StoreKey<DatabaseSchema<S>, N>[],
    ...options: WriteArgs<S, N, WriteOptions>
  ): Promise<void>;
  /**
   * Record changes after their transaction committed: writes through this handle (`origin:
   * 'local'`), through a handle on the same database in another tab (`'tab'`), and changes from the
   * server made by a sync client in any tab (`'remote'`). One emission per record, in order; a
   * transaction's changes come in one burst. Subscribing opens a BroadcastChannel (closed by `close()`).
   */
  readonly changes$: Observable<DatabaseChange<S>>;
  /** Field of synced records holding their server revision (`revField` option, default `'_rev'`). */
  readonly revField: string;
  /** Every persisted upgrade report, oldest first. Opens the database if needed. */
  upgradeReports(): Promise<UpgradeReport[]>;
  /** Clears `evicted` (after sync refetched the data); the state returns to `open`. */
  acknowledgeEviction(): void;
  /** Closes the connection (and the `changes$` channel). The handle stays usable: the next operation reopens. */
  close(): Promise<void>;
  /**
   * Deletes the database, after closing this handle's connection; other tabs' handles close theirs
   * on the `versionchange`. Rejects with `DeleteBlockedError` after `timeoutMs` (default
   * `deleteTimeoutMs`) if another connection does not let go (the deletion stays queued). The next
   * operation creates the database again.
   */
  deleteDatabase(options?: { readonly timeoutMs?: number }): Promise<void>;
}

/**
 * Declares a database. Validates the declaration right away (throwing `SchemaDefinitionError`) but
 * opens nothing: the first operation opens, upgrades and checks the database.
 *
 * @example
 * interface AppSchema extends DBSchema {
 *   work_orders: { key: string; value: { id: string; title: string }; kind: 'transactional' };
 * }
 * const appDb = defineDatabase<AppSchema>({
 *   name: 'field-app',
 *   versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
 * });
 * await appDb.put('work_orders', { id: 'wo-1', title: 'Replace pump' }); // stored and queued for the server
 */
export function defineDatabase<S = unknown>(options: DefineDatabaseOptions<S>): DatabaseHandle<S> {
  const schema = declareSchema(options.name, options.versions as readonly VersionSpec[]);
  return new LazyDatabase(schema, options as DefineDatabaseOptions<unknown>) as unknown as DatabaseHandle<S>;
}
