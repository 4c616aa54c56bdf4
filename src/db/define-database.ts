import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreKey, StoreNames, StoreValue } from 'idb';
import type { Observable } from 'rxjs';
import type { TransactionOptions } from '../idb/open-transaction.js';
import type { DeclaredStore } from '../upversion/declare-schema.js';
import { declareSchema } from '../upversion/declare-schema.js';
import type { VersionList, VersionSpec } from '../upversion/schema-types.js';
import type { SystemSchema } from '../upversion/system-stores.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';
import { LazyDatabase } from './database-handle.js';
import type { DatabaseEvent, DatabaseState } from './database-state.js';
import type { HintStorage } from './eviction-hint.js';

/** The app's schema plus the SDK's system stores (untyped when no schema type is given). */
export type DatabaseSchema<S> = unknown extends S ? unknown : S & SystemSchema;

/** Store names usable with a handle: the app's and the system stores. */
export type DatabaseStoreName<S> = StoreNames<DatabaseSchema<S>>;

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
   * The open idb database, opening (and upgrading) it if needed, typed with the app's schema (the
   * system stores are reached through `read`/`write`). The connection may later be closed under
   * you (versionchange): prefer `read`/`write`, which reopen and retry.
   */
  db(): Promise<IDBPDatabase<S extends DBSchema ? S : unknown>>;
  /** Runs `fn` in a fresh readonly transaction (retried once on a dead connection); resolves after it completes. */
  read<const N extends readonly DatabaseStoreName<S>[], R>(
    stores: N,
    fn: (tx: IDBPTransaction<DatabaseSchema<S>, N, 'readonly'>) => R | PromiseLike<R>,
    options?: TransactionOptions,
  ): Promise<R>;
  /**
   * Runs `fn` in a fresh readwrite transaction (retried once on a dead connection, so `fn` may run
   * twice); resolves after it committed. If `fn` throws, the transaction is aborted and the error
   * comes back typed. Issue every request before awaiting anything but them (Safari).
   */
  write<const N extends readonly DatabaseStoreName<S>[], R>(
    stores: N,
    fn: (tx: IDBPTransaction<DatabaseSchema<S>, N, 'readwrite'>) => R | PromiseLike<R>,
    options?: TransactionOptions,
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
  /** Writes one record; resolves with its key after the transaction committed. */
  put<N extends DatabaseStoreName<S>>(
    store: N,
    value: StoreValue<DatabaseSchema<S>, N>,
    key?: StoreKey<DatabaseSchema<S>, N>,
  ): Promise<StoreKey<DatabaseSchema<S>, N>>;
  /** Deletes the record(s) with a key or in a range. */
  delete<N extends DatabaseStoreName<S>>(
    store: N,
    query: StoreKey<DatabaseSchema<S>, N> | IDBKeyRange,
  ): Promise<void>;
  /** Every persisted upgrade report, oldest first. Opens the database if needed. */
  upgradeReports(): Promise<UpgradeReport[]>;
  /** Clears `evicted` (after sync refetched the data); the state returns to `open`. */
  acknowledgeEviction(): void;
  /** Closes the connection. The handle stays usable: the next operation reopens. */
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
 * const appDb = defineDatabase<AppSchema>({
 *   name: 'field-app',
 *   versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }],
 * });
 * await appDb.put('work_orders', { id: 'wo-1', title: 'Replace pump' });
 */
export function defineDatabase<S = unknown>(options: DefineDatabaseOptions<S>): DatabaseHandle<S> {
  const schema = declareSchema(options.name, options.versions as readonly VersionSpec[]);
  return new LazyDatabase(schema, options as DefineDatabaseOptions<unknown>) as unknown as DatabaseHandle<S>;
}
