import {
  BehaviorSubject,
  filter,
  firstValueFrom,
  map,
  type Observable,
  Subject,
  type Subscription,
} from 'rxjs';
import { InvalidRecordError } from '../errors/invalid-record-error.js';
import { isNetworkError } from '../errors/network-error.js';
import { isSyncError } from '../errors/sync-error.js';
import type { PullOutcome } from '../listeners/pull-signal.js';
import type { RecordValue } from '../protocol/messages.js';
import { ensureClientId } from './client-id.js';
import { clearConflicts, listConflicts } from './conflict-log.js';
import type { ConnectionProvider } from './idb-tx.js';
import type { ConflictLogEntry } from './internal-stores.js';
import { SYNC_STATE_KEYS } from './internal-stores.js';
import { withoutRev } from './outbox-model.js';
import { countOutbox } from './read-push-batch.js';
import type { ResolvedCollection, RunContext, SyncProgress } from './run-context.js';
import { RunClock, type RunSummary } from './run-summary.js';
import { type RunRequest, runSync } from './run-sync.js';
import type { SyncChange } from './sync-change.js';
import { connectionProvider, toPlanReports } from './sync-database.js';
import { type CrossTabLock, idbLock, type LockManagerLike, webLock } from './sync-lock.js';
import { redactConflict, type SyncLogEntry, type SyncStatus } from './sync-log.js';
import type { SyncClientOptions } from './sync-options.js';
import { openTabChannel, type TabChannel } from './tab-channel.js';
import { writeLocal } from './write-local.js';

/** What one `sync()` call asks for; every option adds to what the run does anyway. */
export interface SyncRequestOptions {
  /**
   * Red-sync these transactional collections (`true`: all of them): push the outbox, then clear and
   * refetch. Asked of a lookup collection, it means a full sync. Default: none.
   */
  readonly red?: boolean | readonly string[];
  /** Fully resync these collections (`true`: all): lookup stores keep their old data readable meanwhile. Default: none. */
  readonly full?: boolean | readonly string[];
  /** Pull only these collections in this run (the outbox is always pushed whole). Default: all. */
  readonly collections?: readonly string[];
}

/** The sync client of one database. Create it with {@link createSyncClient}. */
export interface SyncClient {
  /** Current status, replayed to new subscribers. */
  readonly status$: Observable<SyncStatus>;
  /** Progress of red and full syncs, one event per page. */
  readonly progress$: Observable<SyncProgress>;
  /** Failures of runs, rejected writes (`MutationRejectedError`), failing resolvers (`ConflictResolverError`). */
  readonly errors$: Observable<unknown>;
  /** Each resolved conflict, once it is in the conflict log. */
  readonly conflicts$: Observable<ConflictLogEntry>;
  /** Record changes after their transaction committed, local and remote, from this tab and the others. */
  readonly changes$: Observable<SyncChange>;
  /** The summary of each finished run. */
  readonly runs$: Observable<RunSummary>;
  /**
   * `{ ok: true }` after each successful run, `{ ok: false, error }` after each failed one: feed it to
   * the listeners' `pullOutcomes` option so that they back off while the server is unreachable.
   */
  readonly pullOutcomes$: Observable<PullOutcome>;
  /** True while this tab leads: it follows triggers, pushes local writes of every tab and retries. */
  readonly isLeader: boolean;
  /** `isLeader` as it changes, replayed to new subscribers. */
  readonly leader$: Observable<boolean>;
  /**
   * Starts background sync: joins the cross-tab leader election; the leading tab runs at once, then on
   * each trigger, after local writes (`autoPush`) and on retries. Opens the BroadcastChannel.
   */
  start(): Promise<void>;
  /** Runs a sync (after the one under way, if any) and resolves with its summary. Never rejects for sync failures: see `outcome`. */
  sync(options?: SyncRequestOptions): Promise<RunSummary>;
  /** Writes a record locally and queues it for the server, in one transaction. Resolves once committed. */
  write(store: string, value: RecordValue): Promise<void>;
  /** Deletes a record locally and queues the delete, in one transaction. */
  delete(store: string, id: string): Promise<void>;
  /** Resolves when no run is under way or queued. */
  whenIdle(): Promise<void>;
  /** Local writes not yet acknowledged by the server. */
  pendingWrites(): Promise<number>;
  /** The conflict log, oldest first (`store`: one collection only). */
  conflictLog(store?: string): Promise<ConflictLogEntry[]>;
  /** Empties the conflict log (up to `upToSeq` when given); resolves with the number of entries removed. */
  clearConflictLog(upToSeq?: number): Promise<number>;
  /** Stops background sync, aborts requests under way, releases locks and closes the channel. */
  close(): Promise<void>;
}

/**
 * Creates the sync client of a database. Creating it opens nothing: the database is opened by the
 * first call that needs it, and the channel and locks by {@link SyncClient.start} or the first run.
 *
 * @example
 * const client = createSyncClient({
 *   database: appDb,
 *   transport: createHttpTransport({ baseUrl, schemaVersion: appDb.version, getToken }),
 *   collections: { work_orders: { conflicts: { kind: 'merge' } }, service_types: {} },
 * });
 * await client.sync();
 */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  return new Client(options);
}

interface QueuedRun {
  red: Set<string>;
  full: Set<string>;
  /** `undefined`: all collections. */
  only: Set<string> | undefined;
  waiters: { resolve(summary: RunSummary): void; reject(error: unknown): void }[];
}

class Client implements SyncClient {
  readonly #options: SyncClientOptions;
  readonly #connect: ConnectionProvider;
  readonly #revField: string;
  readonly #collections: Map<string, ResolvedCollection>;
  readonly #status = new BehaviorSubject<SyncStatus>('idle');
  readonly #progress = new Subject<SyncProgress>();
  readonly #errors = new Subject<unknown>();
  readonly #conflicts = new Subject<ConflictLogEntry>();
  readonly #changes = new Subject<SyncChange>();
  readonly #runs = new Subject<RunSummary>();
  readonly #busy = new BehaviorSubject(false);
  readonly #leader$ = new BehaviorSubject(false);
  readonly #closing = new AbortController();
  readonly #instance = crypto.randomUUID();
  readonly #subscriptions: Subscription[] = [];
  #channel: TabChannel | undefined;
  #runLock: CrossTabLock | undefined;
  #queued: QueuedRun | undefined;
  #draining: Promise<void> | undefined;
  #runId = 0;
  #evicted = false;
  #watching = false;
  #leader = false;
  #leadership: Promise<unknown> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = 0;
  #closed = false;

  readonly status$: Observable<SyncStatus> = this.#status.asObservable();
  readonly progress$ = this.#progress.asObservable();
  readonly errors$ = this.#errors.asObservable();
  readonly conflicts$ = this.#conflicts.asObservable();
  readonly changes$ = this.#changes.asObservable();
  readonly runs$ = this.#runs.asObservable();
  readonly leader$ = this.#leader$.asObservable();
  readonly pullOutcomes$: Observable<PullOutcome> = this.#runs.pipe(
    map(
      (summary): PullOutcome =>
        summary.outcome === 'error' || summary.error !== undefined
          ? { ok: false, error: summary.error }
          : { ok: true },
    ),
  );

  constructor(options: SyncClientOptions) {
    this.#options = options;
    this.#connect = connectionProvider(options.database);
    this.#revField = options.revField ?? '_rev';
    this.#collections = resolveCollections(options);
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    this.#assertOpen();
    if (this.#leadership !== undefined) return;
    this.#openShared();
    const lock = this.#lock('leader');
    this.#leadership = lock.withLock(() => this.#lead(), this.#closing.signal).catch(() => undefined);
  }

  sync(options: SyncRequestOptions = {}): Promise<RunSummary> {
    this.#assertOpen();
    return new Promise<RunSummary>((resolve, reject) => {
      this.#enqueue(options, { resolve, reject });
    });
  }

  async write(store: string, value: RecordValue): Promise<void> {
    const collection = this.#collection(store);
    const id = value[collection.keyPath];
    if (typeof id !== 'string' || id.length === 0) {
      throw new InvalidRecordError(store, `its key "${collection.keyPath}" must be a non-empty string`);
    }
    await this.#writeLocal({ store, id, op: 'put', value: withoutRev(value, this.#revField) });
  }

  async delete(store: string, id: string): Promise<void> {
    this.#collection(store);
    await this.#writeLocal({ store, id, op: 'delete' });
  }

  whenIdle(): Promise<void> {
    return firstValueFrom(this.#busy.pipe(filter((busy) => !busy))).then(() => undefined);
  }

  async pendingWrites(): Promise<number> {
    const counts = await countOutbox(this.#connect);
    return [...counts.values()].reduce((a, b) => a + b, 0);
  }

  conflictLog(store?: string): Promise<ConflictLogEntry[]> {
    return listConflicts(this.#connect, store);
  }

  clearConflictLog(upToSeq?: number): Promise<number> {
    return clearConflicts(this.#connect, upToSeq);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#closing.abort(new DOMException('The sync client was closed', 'AbortError'));
    for (const s of this.#subscriptions) s.unsubscribe();
    await this.#draining?.catch(() => undefined);
    await this.#leadership;
    this.#channel?.close();
    this.#busy.next(false);
    for (const subject of [this.#progress, this.#errors, this.#conflicts, this.#changes, this.#runs]) {
      subject.complete();
    }
    this.#status.complete();
    this.#busy.complete();
    this.#leader$.next(false);
    this.#leader$.complete();
  }

  // --- runs

  #enqueue(options: SyncRequestOptions, waiter?: QueuedRun['waiters'][number]): void {
    const all = [...this.#collections.keys()];
    const pick = (v: boolean | readonly string[] | undefined) =>
      v === true ? all : v === false || v === undefined ? [] : v;
    const queued = this.#queued ?? { red: new Set(), full: new Set(), only: new Set(), waiters: [] };
    this.#queued = queued;
    for (const c of pick(options.red)) queued.red.add(c);
    for (const c of pick(options.full)) queued.full.add(c);
    if (options.collections === undefined) queued.only = undefined;
    else if (queued.only !== undefined) for (const c of options.collections) queued.only.add(c);
    if (waiter !== undefined) queued.waiters.push(waiter);
    this.#busy.next(true);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      this.#busy.next(this.#queued !== undefined);
      if (this.#queued !== undefined && !this.#closed) this.#enqueue({});
    });
  }

  async #drain(): Promise<void> {
    while (this.#queued !== undefined) {
      const run = this.#queued;
      this.#queued = undefined;
      try {
        this.#openShared();
        const summary = await this.#lock('run').withLock(() => this.#runOnce(run), this.#closing.signal);
        for (const w of run.waiters) w.resolve(summary);
      } catch (error) {
        for (const w of run.waiters) w.reject(error);
      }
    }
  }

  async #runOnce(run: QueuedRun): Promise<RunSummary> {
    const clock = new RunClock();
    const clientId = await clock.time('indexedDb', ensureClientId(this.#connect));
    const ctx: RunContext = {
      connect: this.#connect,
      transport: this.#options.transport,
      clientId,
      revField: this.#revField,
      schemaVersion: this.#options.database.version,
      collections: this.#collections,
      clock,
      signal: this.#closing.signal,
      emitChanges: (changes) => this.#emitChanges(changes, true),
      emitConflict: (entry) => {
        this.#conflicts.next(entry);
        this.#log({
          type: 'conflict',
          conflict: this.#options.logRecordContents ? entry : redactConflict(entry),
        });
      },
      emitError: (error) => this.#emitError(error),
      emitProgress: (progress) => this.#progress.next(progress),
    };
    const request: RunRequest = {
      red: run.red,
      full: run.full,
      ...(run.only === undefined ? {} : { only: run.only }),
    };
    const database = this.#options.database;
    const evicted = this.#evicted || database.evicted === true;
    const summary = await runSync(ctx, request, {
      runId: ++this.#runId,
      evicted,
      maxPushBatch: this.#options.maxPushBatch ?? 200,
      upgradeReports: async () => toPlanReports(await this.#options.database.upgradeReports()),
      onPhase: (phase) => this.#setStatus(phase),
    });
    clock.finish();
    if (evicted && summary.outcome === 'ok') {
      // Everything was refetched: the eviction is handled.
      this.#evicted = false;
      database.acknowledgeEviction?.();
    }
    this.#afterRun(summary);
    return summary;
  }

  #afterRun(summary: RunSummary): void {
    const code = summary.error?.code;
    if (summary.outcome === 'ok' || (summary.outcome === 'waiting' && code === undefined)) {
      this.#setStatus('idle');
      this.#retryDelay = 0;
    } else if (code === 'UPGRADE_REQUIRED' || code === 'UPGRADE_BLOCKED' || code === 'REQUEST_REJECTED') {
      this.#setStatus(code === 'REQUEST_REJECTED' ? 'error' : 'blocked');
    } else {
      this.#setStatus(summary.outcome === 'waiting' ? 'waiting-for-network' : 'error');
      this.#scheduleRetry();
    }
    this.#runs.next(summary);
    this.#log({ type: 'run', summary });
  }

  /** The leading tab retries failed runs with a growing delay (one timer, replaced by any new run). */
  #scheduleRetry(): void {
    if (!this.#leader || this.#closed) return;
    const { initial = 1000, max = 60_000 } = this.#options.retryDelayMs ?? {};
    this.#retryDelay = this.#retryDelay === 0 ? initial : Math.min(max, this.#retryDelay * 2);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#enqueue({}), this.#retryDelay);
  }

  // --- leadership, channel, locks

  async #lead(): Promise<void> {
    this.#leader = true;
    this.#leader$.next(true);
    try {
      if (this.#options.triggers !== undefined) {
        this.#subscriptions.push(
          this.#options.triggers.subscribe((signal) => this.#enqueue(requestOf(signal))),
        );
      }
      const online = () => this.#enqueue({});
      globalThis.addEventListener?.('online', online);
      this.#enqueue({});
      await new Promise<void>((resolve) => {
        if (this.#closing.signal.aborted) resolve();
        this.#closing.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      globalThis.removeEventListener?.('online', online);
    } finally {
      this.#leader = false;
      if (!this.#closed) this.#leader$.next(false);
    }
  }

  /** Opens the BroadcastChannel and starts watching the database's events (once). */
  #openShared(): void {
    if (this.#watching || this.#closed) return;
    this.#watching = true;
    const events$ = this.#options.database.events$;
    if (events$ !== undefined) {
      this.#subscriptions.push(
        events$.subscribe((event) => {
          if (event.type === 'evicted') this.#evicted = true;
        }),
      );
    }
    this.#channel = openTabChannel(`idb-sync:${this.#options.database.name}`);
    if (this.#channel !== undefined) {
      this.#subscriptions.push(
        this.#channel.messages$.subscribe((message) => {
          if (message.type === 'changes') for (const c of message.changes) this.#changes.next(c);
          else if (message.type === 'outbox' && this.#leader && this.#options.autoPush !== false)
            this.#enqueue({});
        }),
      );
    }
  }

  #lock(kind: 'run' | 'leader'): CrossTabLock {
    if (kind === 'run' && this.#runLock !== undefined) return this.#runLock;
    const name = `idb-sync:${this.#options.database.name}:${kind}`;
    const locks =
      this.#options.locks === undefined
        ? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
        : this.#options.locks;
    const lock =
      locks != null
        ? webLock(locks, name)
        : idbLock({
            connect: this.#connect,
            key: `${SYNC_STATE_KEYS.lock}:${kind}`,
            owner: this.#instance,
            ttlMs: this.#options.lockTtlMs ?? 10_000,
            onReleased: (listener) => {
              const s = this.#channel?.messages$
                .pipe(filter((m) => m.type === 'lock-released'))
                .subscribe(() => listener());
              return () => s?.unsubscribe();
            },
            announceRelease: () => this.#channel?.post({ type: 'lock-released', key: kind }),
          });
    if (kind === 'run') this.#runLock = lock;
    return lock;
  }

  // --- local writes and events

  async #writeLocal(write: Parameters<typeof writeLocal>[1]): Promise<void> {
    this.#assertOpen();
    const { change, queued } = await writeLocal(this.#connect, write, this.#revField);
    this.#emitChanges([change], true);
    if (!queued) return;
    if (this.#leader && this.#options.autoPush !== false) this.#enqueue({});
    else this.#channel?.post({ type: 'outbox' });
  }

  #emitChanges(changes: readonly SyncChange[], broadcast: boolean): void {
    if (changes.length === 0) return;
    for (const c of changes) this.#changes.next(c);
    if (broadcast && this.#channel !== undefined) {
      this.#channel.post({
        type: 'changes',
        changes: changes.map(({ value: _value, ...rest }) => rest),
      });
    }
  }

  #emitError(error: unknown): void {
    if (this.#closed) return;
    this.#errors.next(error);
    const described = isSyncError(error)
      ? { code: error.code, message: error.message }
      : {
          code: error instanceof Error ? error.name : 'UNKNOWN',
          message: error instanceof Error ? error.message : '',
        };
    this.#log({ type: 'error', ...described });
    if (isNetworkError(error)) this.#setStatus('waiting-for-network');
  }

  #setStatus(status: SyncStatus): void {
    if (this.#closed || this.#status.value === status) return;
    this.#status.next(status);
    this.#log({ type: 'status', status });
  }

  #log(entry: SyncLogEntry): void {
    try {
      this.#options.logger?.(entry);
    } catch {
      // A failing logger must not break sync.
    }
  }

  #collection(store: string): ResolvedCollection {
    this.#assertOpen();
    const collection = this.#collections.get(store);
    if (collection === undefined) throw new InvalidRecordError(store, 'the store is not a synced collection');
    return collection;
  }

  #assertOpen(): void {
    if (this.#closed) throw new DOMException('The sync client was closed', 'InvalidStateError');
  }
}

/** A trigger's emission names collections when it is a listener's pull signal (`{ collections }`). */
function requestOf(signal: unknown): SyncRequestOptions {
  const collections = (signal as { collections?: unknown } | null | undefined)?.collections;
  return Array.isArray(collections) && collections.every((c) => typeof c === 'string') ? { collections } : {};
}

function resolveCollections(options: SyncClientOptions): Map<string, ResolvedCollection> {
  const stores = options.database.stores;
  const names =
    options.collections === undefined
      ? Object.keys(stores).filter((s) => !s.startsWith('_') && stores[s]?.kind !== 'local')
      : Object.keys(options.collections);
  const resolved = new Map<string, ResolvedCollection>();
  for (const name of names) {
    const spec = stores[name];
    if (spec === undefined || spec.kind === 'local') {
      throw new InvalidRecordError(
        name,
        'a synced collection must be a declared transactional or lookup store',
      );
    }
    if (typeof spec.keyPath !== 'string') {
      throw new InvalidRecordError(name, 'a synced store needs a single-field key path');
    }
    const own = options.collections?.[name] ?? {};
    resolved.set(name, {
      name,
      kind: spec.kind,
      keyPath: spec.keyPath,
      conflicts: own.conflicts ?? 'server-wins',
      windowSize: own.windowSize ?? options.windowSize ?? 500,
      ...(own.filter === undefined ? {} : { filter: own.filter }),
    });
  }
  return resolved;
}
