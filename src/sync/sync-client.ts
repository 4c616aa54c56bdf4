import { BehaviorSubject, map, type Observable, Subject, type Subscription } from 'rxjs';
import type { DatabaseHandle } from '../db/define-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import { InvalidRecordError } from '../errors/invalid-record-error.js';
import type { ConnectionSource } from '../idb/transact.js';
import type { PullOutcome } from '../listeners/pull-signal.js';
import type { RecordValue } from '../protocol/messages.js';
import { ensureClientId } from './client-id.js';
import { clearConflicts, listConflicts } from './conflict-log.js';
import type { ConflictLogEntry } from './internal-stores.js';
import { withoutRev } from './outbox-model.js';
import { countOutbox } from './read-push-batch.js';
import { resolveCollections } from './resolve-collections.js';
import type { ResolvedCollection, RunContext, SyncProgress } from './run-context.js';
import { blocksSync, failedSummary, signalRequest } from './run-failure.js';
import { RunQueue } from './run-queue.js';
import { RunClock, type RunSummary } from './run-summary.js';
import { type RunRequest, type RunResult, runSync } from './run-sync.js';
import type { SyncChange } from './sync-change.js';
import type { SyncClient, SyncRequestOptions } from './sync-client-api.js';
import { connectionSource, type SyncDatabase, toPlanReports } from './sync-database.js';
import { type CrossTabLock, crossTabLock } from './sync-lock.js';
import { redactConflict, type SyncLogEntry, type SyncStatus } from './sync-log.js';
import type { SyncClientOptions } from './sync-options.js';
import { openTabChannel, type TabChannel } from './tab-channel.js';
import { writeLocal } from './write-local.js';

export type { SyncClient, SyncRequestOptions } from './sync-client-api.js';

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
export function createSyncClient<S = unknown>(
  options: SyncClientOptions<S> & { readonly database: DatabaseHandle<S> | SyncDatabase },
): SyncClient {
  return new Client(options as SyncClientOptions);
}

class Client implements SyncClient {
  readonly #options: SyncClientOptions;
  readonly #connect: ConnectionSource;
  readonly #revField: string;
  readonly #collections: Map<string, ResolvedCollection>;
  readonly #status = new BehaviorSubject<SyncStatus>('idle');
  readonly #progress = new Subject<SyncProgress>();
  readonly #errors = new Subject<unknown>();
  readonly #conflicts = new Subject<ConflictLogEntry>();
  readonly #changes = new Subject<SyncChange>();
  readonly #runs = new Subject<RunSummary>();
  readonly #leader$ = new BehaviorSubject(false);
  readonly #closing = new AbortController();
  readonly #instance = crypto.randomUUID();
  readonly #subscriptions: Subscription[] = [];
  #channel: TabChannel | undefined;
  #runLock: CrossTabLock | undefined;
  readonly #queue: RunQueue;
  #runId = 0;
  #evicted = false;
  #watching = false;
  #leader = false;
  #leadership: Promise<unknown> | undefined;
  #started: Promise<void> | undefined;
  #onLeading: (() => void) | undefined;
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
    this.#connect = connectionSource(options.database);
    this.#revField = options.revField ?? '_rev';
    this.#collections = resolveCollections(options);
    this.#queue = new RunQueue((request) => this.#execute(request), [...this.#collections.keys()]);
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    this.#assertOpen();
    if (this.#leadership !== undefined) return this.#started;
    this.#openShared();
    // Resolves once this tab leads (its first run queued) or knows another tab does.
    let settled!: () => void;
    this.#started = new Promise<void>((resolve) => {
      settled = resolve;
    });
    this.#onLeading = settled;
    this.#leadership = this.#lock('leader')
      .withLock(() => this.#lead(), this.#closing.signal, settled)
      .catch(() => undefined)
      .finally(settled);
    return this.#started;
  }

  sync(options: SyncRequestOptions = {}): Promise<RunSummary> {
    this.#assertOpen();
    return new Promise<RunSummary>((resolve, reject) => {
      this.#queue.request(options, { resolve, reject });
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
    return this.#queue.whenIdle();
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
    await this.#queue.stop();
    await this.#leadership;
    this.#channel?.close();
    for (const subject of [this.#progress, this.#errors, this.#conflicts, this.#changes, this.#runs]) {
      subject.complete();
    }
    this.#status.complete();
    this.#leader$.next(false);
    this.#leader$.complete();
  }

  // --- runs

  #enqueue(options: SyncRequestOptions): void {
    if (!this.#closed) this.#queue.request(options);
  }

  /** One run, under the cross-tab run lock. */
  async #execute(request: RunRequest): Promise<RunSummary> {
    this.#openShared();
    return this.#lock('run').withLock(() => this.#runOnce(request), this.#closing.signal);
  }

  async #runOnce(request: RunRequest): Promise<RunSummary> {
    const clock = new RunClock();
    const runId = ++this.#runId;
    const database = this.#options.database;
    const evicted = this.#evicted || database.evicted === true;
    let result: RunResult;
    try {
      const clientId = await clock.time('indexedDb', ensureClientId(this.#connect));
      result = await runSync(this.#context(clientId, clock), request, {
        runId,
        evicted,
        maxPushBatch: this.#options.maxPushBatch ?? 200,
        upgradeReports: async () => toPlanReports(await database.upgradeReports()),
        onPhase: (phase) => this.#setStatus(phase),
      });
    } catch (error) {
      // The database could not be opened (blocked upgrade, missing IndexedDB…): nothing ran.
      this.#emitError(error);
      result = { summary: failedSummary(runId, clock, error), failure: error };
    }
    clock.finish();
    if (evicted && result.summary.outcome === 'ok') {
      // Everything was refetched: the eviction is handled.
      this.#evicted = false;
      database.acknowledgeEviction?.();
    }
    this.#afterRun(result);
    return result.summary;
  }

  #context(clientId: string, clock: RunClock): RunContext {
    return {
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
  }

  #afterRun({ summary, failure }: RunResult): void {
    if (failure === undefined) {
      this.#setStatus('idle');
      this.#retryDelay = 0;
    } else if (blocksSync(failure)) {
      this.#setStatus('blocked');
    } else {
      this.#setStatus(isIdbSyncError(failure, 'NETWORK_ERROR') ? 'waiting-for-network' : 'error');
      if ((failure as { retryable?: unknown }).retryable !== false) this.#scheduleRetry();
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
          this.#options.triggers.subscribe((signal) => this.#enqueue(signalRequest(signal))),
        );
      }
      const online = () => this.#enqueue({});
      globalThis.addEventListener?.('online', online);
      this.#enqueue({});
      this.#onLeading?.();
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
    const lock = crossTabLock({
      name: `idb-sync:${this.#options.database.name}:${kind}`,
      locks: this.#options.locks,
      connect: this.#connect,
      owner: this.#instance,
      ttlMs: this.#options.lockTtlMs ?? 10_000,
      channel: () => this.#channel,
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
    const described = isIdbSyncError(error)
      ? { code: error.code, message: error.message }
      : {
          code: error instanceof Error ? error.name : 'UNKNOWN',
          message: error instanceof Error ? error.message : '',
        };
    this.#log({ type: 'error', ...described });
    if (isIdbSyncError(error, 'NETWORK_ERROR')) this.#setStatus('waiting-for-network');
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
