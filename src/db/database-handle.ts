import type { IDBPTransaction } from 'idb';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { wrapDomException } from '../errors/wrap-dom-exception.js';
import { WriteRefusedError } from '../errors/write-refused-error.js';
import type { Connection, ConnectionSource } from '../idb/connection.js';
import type { TransactionOptions } from '../idb/open-transaction.js';
import { promiseTransaction } from '../idb/promised.js';
import { runTransaction } from '../idb/run-transaction.js';
import { type LiveQueryOptions, liveQuery } from '../live/live-query.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable } from '../rx/observable.js';
import { appVersionOf, type DeclaredSchema, type DeclaredStore } from '../upversion/declare-schema.js';
import { metaKeys, type UpgradeReportRecord } from '../upversion/meta-records.js';
import { type OpenedDatabase, startOpen } from '../upversion/open-database.js';
import { META_STORE } from '../upversion/system-stores.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';
import { waitForOpen } from '../upversion/wait-for-open.js';
import { ChangeHub, type StoreChange, type WrittenChange } from './database-changes.js';
import type { DatabaseEvent, DatabaseState } from './database-state.js';
import type { DefineDatabaseOptions } from './define-database.js';
import { detectEviction, type EvictionHint, hintFor } from './eviction-hint.js';
import { idbReady, runsOnSafari } from './idb-ready.js';
import { type DeleteAttempt, startDelete, waitForDelete } from './request-delete.js';
import { requestPersistence } from './request-persistence.js';
import { resolveFactory } from './resolve-factory.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { bulkDelete, bulkPut, deleteOne, putOne, runWrite } from './run-write.js';
import type { PutOptions, WriteOptions } from './write-types.js';

/**
 * How the sync client hands the handle the changes it made (pulls, conflict resolutions,
 * rollbacks), so that `changes$` announces them as `remote` in every tab. Not part of the public API.
 */
export const announceSyncChanges = Symbol.for('idb-sync.announce-sync-changes');

/**
 * The handle's raw connection (opening it if needed), for the sync client's and the session's own
 * transactions. Not public: an app writing through a raw connection would bypass the outbox.
 */
export const rawConnection = Symbol.for('idb-sync.raw-connection');

/** An open in flight; `closeOnArrival` is set by `close()` and cleared by the next operation. */
interface PendingOpen {
  readonly attempt: ReturnType<typeof startOpen>;
  readonly connected: Promise<Connection>;
  closeOnArrival: boolean;
}

type ReadTransaction = IDBPTransaction<unknown, string[], 'readonly'>;
type WriteTransaction = IDBPTransaction<unknown, string[], 'readwrite'>;

/**
 * The implementation behind {@link defineDatabase}: lazy open, self-healing on versionchange and
 * lost connections, bounded waits. Untyped inside; `DatabaseHandle<S>` types it for callers.
 */
export class LazyDatabase implements ConnectionSource {
  readonly name: string;
  readonly version: number;
  readonly stores: Readonly<Record<string, DeclaredStore>>;
  readonly revField: string;
  readonly #changes: ChangeHub;
  readonly changes$: Observable<StoreChange>;
  readonly #schema: DeclaredSchema;
  readonly #options: ResolvedOptions;
  readonly #state$ = new Multicast<DatabaseState>('closed');
  readonly #events$ = new Multicast<DatabaseEvent>();
  readonly state$: Observable<DatabaseState> = this.#state$.asObservable();
  readonly events$: Observable<DatabaseEvent> = this.#events$.asObservable();
  #connection: Connection | undefined;
  #pending: PendingOpen | undefined;
  #deletion: DeleteAttempt | undefined;
  #knownIdbVersion: number | undefined;
  #everOpened = false;
  #persistAsked = false;
  #lastUpgrade: UpgradeReport | undefined;
  #evicted = false;

  constructor(schema: DeclaredSchema, options: DefineDatabaseOptions<unknown>) {
    this.#schema = schema;
    this.#options = resolveOptions(options);
    this.name = schema.name;
    this.version = schema.latest.version;
    this.revField = options.revField ?? '_rev';
    this.#changes = new ChangeHub(schema.name);
    this.changes$ = this.#changes.changes$;
    this.stores = Object.fromEntries(
      Object.values(schema.latest.stores)
        .filter((s) => !s.system)
        .map((s) => [s.name, s]),
    );
  }

  /** Same as `name`, for {@link ConnectionSource}. */
  get database(): string {
    return this.name;
  }

  get lostConnectionGraceMs(): number {
    return this.#options.lostConnectionGraceMs;
  }

  get state(): DatabaseState {
    return this.#state$.value;
  }

  get lastUpgrade(): UpgradeReport | undefined {
    return this.#lastUpgrade;
  }

  get evicted(): boolean {
    return this.#evicted;
  }

  async open(): Promise<void> {
    await this.connect();
  }

  /** The raw connection, for the SDK's own transactions (sync). Not part of the public API. */
  async [rawConnection](): Promise<IDBDatabase> {
    return (await this.connect()).raw;
  }

  read<R>(
    stores: readonly string[],
    fn: (tx: ReadTransaction) => R | PromiseLike<R>,
    options?: TransactionOptions,
  ) {
    return runTransaction(
      this,
      stores,
      'readonly',
      (tx) => fn(promiseTransaction<'readonly'>(tx, stores)),
      options,
    );
  }

  live<R>(
    stores: readonly string[],
    fn: (tx: ReadTransaction) => R | PromiseLike<R>,
    options?: LiveQueryOptions,
  ): Observable<R> {
    return liveQuery(this, stores, () => this.read(stores, fn), options);
  }

  write<R>(
    stores: readonly string[],
    fn: (tx: WriteTransaction) => R | PromiseLike<R>,
    options?: WriteOptions,
  ): Promise<R> {
    try {
      refuseInternal(stores, 'write()');
    } catch (error) {
      return Promise.reject(error);
    }
    return runWrite(this, stores, (tx) => fn(tx), options);
  }

  get(store: string, query: IDBValidKey | IDBKeyRange): Promise<unknown> {
    return this.read([store], (tx) => tx.objectStore(store).get(query));
  }

  getAll(store: string, query?: IDBValidKey | IDBKeyRange | null, count?: number): Promise<unknown[]> {
    return this.read([store], (tx) => tx.objectStore(store).getAll(query, count));
  }

  count(store: string, query?: IDBValidKey | IDBKeyRange | null): Promise<number> {
    return this.read([store], (tx) => tx.objectStore(store).count(query));
  }

  async put(store: string, value: unknown, options?: PutOptions): Promise<IDBValidKey> {
    refuseInternal([store], 'put()');
    return putOne(this, store, value, options);
  }

  async delete(store: string, query: IDBValidKey | IDBKeyRange, options?: WriteOptions): Promise<void> {
    refuseInternal([store], 'delete()');
    return deleteOne(this, store, query, options);
  }

  async bulkPut(store: string, values: readonly unknown[], options?: WriteOptions): Promise<IDBValidKey[]> {
    refuseInternal([store], 'bulkPut()');
    return bulkPut(this, store, values, options);
  }

  async bulkDelete(store: string, keys: readonly IDBValidKey[], options?: WriteOptions): Promise<void> {
    refuseInternal([store], 'bulkDelete()');
    return bulkDelete(this, store, keys, options);
  }

  /** Announces this handle's committed writes on `changes$` (and to the other tabs). */
  announce(changes: readonly WrittenChange[]): void {
    this.#changes.announce(changes, 'local');
  }

  /** Called by the sync client after a transaction of its own committed. */
  [announceSyncChanges](changes: readonly WrittenChange[]): void {
    this.#changes.announce(changes, 'remote');
  }

  async upgradeReports(): Promise<UpgradeReport[]> {
    const prefix = metaKeys.reportPrefix;
    const records = (await this.read([META_STORE], (tx) =>
      tx.objectStore(META_STORE).getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`)),
    )) as UpgradeReportRecord[];
    // Sorted here: indexeddbshim returns getAll() in insertion order, not key order.
    return records.sort((a, b) => a.toIdbVersion - b.toIdbVersion).map(({ key: _key, ...report }) => report);
  }

  acknowledgeEviction(): void {
    if (!this.#evicted) return;
    this.#evicted = false;
    if (this.state === 'evicted') this.#state$.next('open');
  }

  async close(): Promise<void> {
    this.#changes.close();
    this.#dropConnection();
    if (this.#pending) this.#pending.closeOnArrival = true;
    this.#state$.next('closed');
    this.#events$.next({ type: 'closed' });
  }

  async deleteDatabase(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    await this.close();
    const factory = resolveFactory(this.name, this.#options.indexedDB);
    let deletion = this.#deletion;
    if (!deletion) {
      const started = startDelete(factory, this.name);
      deletion = started;
      this.#deletion = started;
      started.phase$.subscribe((phase) => {
        if (phase === 'blocked') this.#events$.next({ type: 'blocked', operation: 'delete' });
      });
      started.result.then(
        () => {
          if (this.#deletion === started) this.#deletion = undefined;
          this.#knownIdbVersion = undefined;
          this.#hint().forget();
          this.#state$.next('deleted');
          this.#events$.next({ type: 'deleted' });
        },
        () => {
          if (this.#deletion === started) this.#deletion = undefined;
        },
      );
    }
    await waitForDelete(deletion, this.name, options.timeoutMs ?? this.#options.deleteTimeoutMs);
  }

  /** A live connection: the current one, the one being opened, or a new one. */
  async connect(): Promise<Connection> {
    const current = this.#connection;
    if (current && !current.dead) return current;
    this.#changes.resume();
    if (this.#deletion) await waitForDelete(this.#deletion, this.name, this.#options.deleteTimeoutMs);
    const pending = this.#pending ?? this.#startOpen();
    pending.closeOnArrival = false;
    await waitForOpen(pending.attempt, {
      database: this.name,
      version: this.version,
      blockedTimeoutMs: this.#options.blockedTimeoutMs,
      openTimeoutMs: this.#options.openTimeoutMs,
    });
    return pending.connected;
  }

  discard(connection: Connection): void {
    if (this.#connection === connection) this.#dropConnection();
    else connection.dead = true;
  }

  #startOpen(): PendingOpen {
    let factory: IDBFactory;
    try {
      factory = resolveFactory(this.name, this.#options.indexedDB);
    } catch (error) {
      this.#failed(error);
      throw error;
    }
    this.#state$.next('opening');
    const safariFix = this.#options.safariOpenFix ?? runsOnSafari();
    const attempt = startOpen(
      {
        factory,
        schema: this.#schema,
        migrationBatchSize: this.#options.migrationBatchSize,
        migrationSettleTimeoutMs: this.#options.migrationSettleTimeoutMs,
        knownIdbVersion: this.#knownIdbVersion,
      },
      safariFix ? () => idbReady(factory, { maxWaitMs: 2_000, intervalMs: 100 }) : undefined,
    );
    attempt.phase$.subscribe((phase) => {
      if (phase === 'blocked') {
        this.#state$.next('blocked');
        this.#events$.next({ type: 'blocked', operation: 'open' });
      } else if (phase === 'upgrading') this.#state$.next('upgrading');
    });
    const pending: PendingOpen = {
      attempt,
      closeOnArrival: false,
      connected: attempt.result.then(
        (opened) => this.#adopt(opened, pending),
        (error: unknown) => {
          if (this.#pending === pending) this.#pending = undefined;
          this.#failed(error);
          throw error;
        },
      ),
    };
    pending.connected.catch(() => {}); // waiters get the error
    this.#pending = pending;
    return pending;
  }

  #adopt(opened: OpenedDatabase, pending: PendingOpen): Connection {
    if (this.#pending === pending) this.#pending = undefined;
    const raw = opened.db;
    raw.onversionchange = null;
    let markLost!: () => void;
    const lost = new Promise<void>((resolve) => {
      markLost = resolve;
    });
    const connection: Connection = { raw, dead: false, lost };
    if (opened.upgrade) {
      this.#lastUpgrade = opened.upgrade.report;
      this.#events$.next({ type: 'upgraded', report: opened.upgrade.report });
    }
    if (pending.closeOnArrival) {
      raw.close();
      connection.dead = true;
      return connection;
    }
    raw.addEventListener('versionchange', (event) => this.#onVersionChange(connection, event));
    raw.addEventListener('close', () => {
      markLost();
      this.#onTerminated(connection);
    });
    this.#connection = connection;
    this.#knownIdbVersion = raw.version;
    const eviction = detectEviction(this.#hint(), opened);
    if (eviction) this.#evicted = true;
    this.#state$.next(this.#evicted ? 'evicted' : 'open');
    this.#events$.next({
      type: this.#everOpened ? 'reopened' : 'opened',
      version: this.version,
      liveVersion: opened.liveVersion,
    });
    this.#everOpened = true;
    if (eviction) this.#events$.next({ type: 'evicted', reason: eviction });
    this.#askPersistence();
    return connection;
  }

  #hint(): EvictionHint {
    return hintFor(this.#options.evictionHintStorage, this.name);
  }

  #askPersistence(): void {
    if (!this.#options.persist || this.#persistAsked) return;
    this.#persistAsked = true;
    void requestPersistence().then((persisted) => this.#events$.next({ type: 'persisted', persisted }));
  }

  #onVersionChange(connection: Connection, event: IDBVersionChangeEvent): void {
    const current = this.#connection === connection;
    connection.dead = true;
    connection.raw.close(); // let the other connection's upgrade or deletion go ahead
    if (!current) return;
    this.#connection = undefined;
    const newIdbVersion = event.newVersion;
    const newVersion = newIdbVersion === null ? null : appVersionOf(newIdbVersion);
    if (newIdbVersion !== null && newVersion === this.version) this.#knownIdbVersion = newIdbVersion;
    if (newIdbVersion === null) this.#knownIdbVersion = undefined;
    this.#state$.next(newVersion === null ? 'deleted' : 'versionchange');
    this.#events$.next({
      type: 'versionchange',
      oldVersion: appVersionOf(event.oldVersion),
      newVersion,
      reloadRequired: newVersion !== null && newVersion > this.version,
    });
  }

  #onTerminated(connection: Connection): void {
    connection.dead = true;
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    this.#state$.next('closed');
    this.#events$.next({ type: 'terminated' });
  }

  #dropConnection(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    connection.dead = true;
    connection.raw.close();
  }

  #failed(error: unknown): void {
    this.#state$.next('error');
    const typed = isIdbSyncError(error)
      ? error
      : wrapDomException(error, { database: this.name, operation: 'open' });
    this.#events$.next({ type: 'error', error: typed });
  }
}

/**
 * The SDK's own stores (`_outbox`, `_meta`, `_checkpoints`, …: every name starting with `_`, which
 * app stores may not) are written by the SDK only: a write through the handle could break the
 * outbox or the sync state, so it is refused before any transaction starts.
 */
function refuseInternal(stores: readonly string[], operation: string): void {
  const internal = stores.find((store) => store.startsWith('_'));
  if (internal !== undefined)
    throw new WriteRefusedError(
      internal,
      operation,
      'internal-store',
      'read() to read it; only the SDK writes it',
    );
}
