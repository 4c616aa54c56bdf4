import type { StoreChange } from '../db/database-changes.js';
import { announceSyncChanges } from '../db/database-handle.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { ConnectionSource } from '../idb/transact.js';
import { browserEnvironment } from '../listeners/environment.js';
import { type LiveConnection, liveConnection } from '../listeners/live-connection.js';
import type { ConnectionKind, PullOutcome } from '../listeners/pull-signal.js';
import { liveQuery } from '../live/live-query.js';
import { Multicast } from '../rx/multicast.js';
import { Observable, type Unsubscribable } from '../rx/observable.js';
import { distinct } from '../rx/operators.js';
import { type RetryPolicy, resolveRetry, retryDelay } from '../transport/retry-policy.js';
import { loadClientState } from './client-state.js';
import { clearConflicts, listConflicts } from './conflict-log.js';
import type { StoreConflictLogEntry } from './internal-stores.js';
import { countOutbox } from './read-push-batch.js';
import { resolveCollections } from './resolve-collections.js';
import type { ResolvedCollection, RunContext, SyncProgress } from './run-context.js';
import { blocksSync, describeFailure, failedSummary, signalRequest } from './run-failure.js';
import { RunQueue } from './run-queue.js';
import { RunClock, type RunSummary } from './run-summary.js';
import { type RunRequest, type RunResult, runSync } from './run-sync.js';
import { listSkipped, SKIPPED_STORE, type SkippedRecord } from './skipped-log.js';
import type { SyncChange } from './sync-change.js';
import type { ConflictLogOf, LiveSyncClient, SyncClient, SyncRequestOptions } from './sync-client-api.js';
import { connectionSource, type SyncDatabase, toPlanReports } from './sync-database.js';
import { type CrossTabLock, crossTabLock } from './sync-lock.js';
import { redactConflict, type SyncLogEntry, type SyncStatus } from './sync-log.js';
import type { LiveSyncClientOptions, SyncClientOptions } from './sync-options.js';
import { openTabChannel, type TabChannel } from './tab-channel.js';
import { TabPresence } from './tab-presence.js';

export type { CollectionName, LiveSyncClient, SyncClient, SyncRequestOptions } from './sync-client-api.js';

/**
 * Creates the sync client of a database. Creating it opens nothing: the database is opened by the
 * first call that needs it, and the channel, locks and connections by {@link SyncClient.start} or
 * the first run.
 *
 * One call gives a live-synced app: with `url` (and `getToken`), the client builds its transports,
 * hears about server changes over the best channel the server offers (WebSocket, else Server-Sent
 * Events, else polling; falling back when one keeps failing and returning when it works again),
 * pulls when told, retries failed runs with one backoff policy (`retry`) and pauses while offline
 * or hidden (`environment`). `connection$` says which channel is in use. The advanced form takes a
 * `transport` (and optional `triggers`) you built from the building blocks in `idb-sync/transport`.
 *
 * @example
 * const client = createSyncClient({
 *   database: appDb,
 *   url: 'https://sync.example.com',
 *   getToken: () => session.token,
 *   collections: { work_orders: { conflicts: { kind: 'merge' } }, service_types: {} },
 * });
 * client.connection$.subscribe((kind) => console.log('hearing changes over', kind));
 * await client.start(); // syncs now, then on every server poke and local write
 * await client.close(); // closes sockets, timers, listeners and the channel
 */
export function createSyncClient<S = unknown>(options: LiveSyncClientOptions<S>): LiveSyncClient<S>;
export function createSyncClient<S = unknown>(options: SyncClientOptions<S>): SyncClient<S>;
export function createSyncClient<S = unknown>(
  options: SyncClientOptions<S> | LiveSyncClientOptions<S>,
): SyncClient<S> {
  if (options.url === undefined) return new Client(options as SyncClientOptions) as unknown as SyncClient<S>;
  const { url, getToken, transports, ...rest } = options as LiveSyncClientOptions;
  const environment = options.environment ?? browserEnvironment();
  let client: Client | undefined;
  const live = liveConnection({
    url,
    schemaVersion: options.database.version,
    getToken,
    retry: options.retry,
    // The leader keeps its connection while any tab of the database is visible.
    environment: {
      online$: environment.online$,
      visible$: new Observable((subscriber) =>
        (client?.anyTabVisible$ ?? environment.visible$).subscribe(subscriber),
      ),
    },
    transports,
  });
  client = new Client({ ...rest, environment, transport: live.syncTransport, triggers: live.triggers }, live);
  return client as unknown as SyncClient<S>;
}

class Client implements LiveSyncClient {
  readonly #options: SyncClientOptions;
  readonly #live: LiveConnection | undefined;
  readonly #retry: RetryPolicy;
  /** Function triggers get the pull outcomes and retry failed runs themselves. */
  readonly #triggersRetry: boolean;
  /** The handle as the client uses it (its public API plus the sync hooks). */
  readonly #database: SyncDatabase;
  readonly #connect: ConnectionSource;
  readonly #revField: string;
  readonly #collections: Map<string, ResolvedCollection>;
  readonly #status = new Multicast<SyncStatus>('idle');
  readonly #progress = new Multicast<SyncProgress>();
  readonly #errors = new Multicast<unknown>();
  readonly #conflicts = new Multicast<StoreConflictLogEntry>();
  readonly #runs = new Multicast<RunSummary>();
  readonly #leader$ = new Multicast(false);
  readonly #closing = new AbortController();
  readonly #instance = crypto.randomUUID();
  readonly #subscriptions: Unsubscribable[] = [];
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
  #retryFailures = 0;
  /** Collections that failed on their own: consecutive failures and when they may run again. */
  readonly #backoff = new Map<string, { failures: number; at: number }>();
  #backoffTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #skipped = new Multicast<void>();
  #online = true;
  readonly #outcomes = new Multicast<PullOutcome>();
  readonly #presence = new TabPresence(this.#instance, () => this.#leader);
  #closed = false;

  readonly status$: Observable<SyncStatus> = this.#status.asObservable();
  readonly progress$ = this.#progress.asObservable();
  readonly errors$ = this.#errors.asObservable();
  readonly conflicts$ = this.#conflicts.asObservable();
  readonly runs$ = this.#runs.asObservable();
  readonly leader$ = this.#leader$.asObservable();
  readonly pullOutcomes$: Observable<PullOutcome> = this.#outcomes.asObservable();
  readonly connection$: Observable<ConnectionKind> = this.#presence.connection$;
  readonly skippedRecords$: Observable<SkippedRecord[]> = liveQuery(
    {
      // This tab's runs, and other tabs' (over the tab channel, opened by the subscription).
      changes$: new Observable<StoreChange>((subscriber) => {
        this.#openShared();
        const changed = () => subscriber.next({ store: SKIPPED_STORE } as StoreChange);
        const mine = this.#skipped.asObservable().subscribe(changed);
        const others = this.#channel?.messages$.subscribe((m) => m.type === 'skipped' && changed());
        return () => {
          mine.unsubscribe();
          others?.unsubscribe();
        };
      }),
    },
    [SKIPPED_STORE],
    () => listSkipped(this.#connect),
  );

  constructor(options: SyncClientOptions, live?: LiveConnection) {
    this.#options = options;
    this.#live = live;
    this.#retry = resolveRetry(options.retry);
    this.#triggersRetry = typeof options.triggers === 'function';
    this.#database = options.database as unknown as SyncDatabase;
    this.#connect = connectionSource(this.#database);
    this.#revField = this.#database.revField ?? '_rev';
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

  whenIdle(): Promise<void> {
    return this.#queue.whenIdle();
  }

  async pendingWrites(): Promise<number> {
    const counts = await countOutbox(this.#connect);
    return [...counts.values()].reduce((a, b) => a + b, 0);
  }

  conflictLog(store?: string): Promise<ConflictLogOf<unknown, string>[]> {
    return listConflicts(this.#connect, store);
  }

  clearConflictLog(upToSeq?: number): Promise<number> {
    return clearConflicts(this.#connect, upToSeq);
  }

  skippedRecords(collection?: string): Promise<SkippedRecord[]> {
    return listSkipped(this.#connect, collection);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#backoffTimer);
    this.#closing.abort(new DOMException('The sync client was closed', 'AbortError'));
    for (const s of this.#subscriptions) s.unsubscribe();
    await this.#queue.stop();
    await this.#leadership;
    this.#live?.close();
    this.#channel?.close();
    this.#presence.leave();
    for (const subject of [
      this.#progress,
      this.#errors,
      this.#conflicts,
      this.#runs,
      this.#outcomes,
      this.#skipped,
      this.#status,
    ]) {
      subject.complete();
    }
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
    const database = this.#database;
    const evicted = this.#evicted || database.evicted === true;
    let result: RunResult;
    try {
      const { clientId, capabilities } = await clock.time('indexedDb', loadClientState(this.#connect));
      result = await runSync(this.#context(clientId, clock), request, {
        runId,
        capabilities,
        evicted,
        maxPushBatch: this.#options.maxPushBatch ?? 200,
        backingOff: new Set([...this.#backoff].filter(([, b]) => b.at > Date.now()).map(([c]) => c)),
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
      schemaVersion: this.#database.version,
      collections: this.#collections,
      clock,
      signal: this.#closing.signal,
      emitChanges: (changes) => this.#emitChanges(changes),
      releasedWrites: () => undefined,
      emitConflict: (entry) => {
        this.#conflicts.next(entry);
        this.#log({
          type: 'conflict',
          conflict: this.#options.logRecordContents ? entry : redactConflict(entry),
        });
      },
      emitError: (error) => this.#emitError(error),
      skippedChanged: () => {
        this.#skipped.next();
        this.#channel?.post({ type: 'skipped' });
      },
      emitProgress: (progress) => this.#progress.next(progress),
    };
  }

  #afterRun({ summary, failure, failed }: RunResult): void {
    this.#backOff(summary, failed);
    if (failure === undefined) {
      this.#setStatus(failed?.size ? 'error' : 'idle');
      this.#retryFailures = 0;
      clearTimeout(this.#retryTimer);
      this.#outcomes.next({ ok: true });
    } else if (blocksSync(failure)) {
      this.#setStatus('blocked');
    } else {
      this.#setStatus(isIdbSyncError(failure, 'NETWORK_ERROR') ? 'waiting-for-network' : 'error');
      if ((failure as { retryable?: unknown }).retryable !== false) {
        this.#outcomes.next({ ok: false, error: failure });
        this.#scheduleRetry(failure);
      }
    }
    this.#runs.next(summary);
    this.#log({ type: 'run', summary });
  }

  /**
   * The leading tab retries failed runs after the retry policy's delay (one timer, replaced by any
   * new failure), unless its function triggers do (they got the outcome), and never while offline.
   */
  #scheduleRetry(failure: unknown): void {
    if (!this.#leader || this.#closed || this.#triggersRetry || !this.#online) return;
    this.#retryFailures += 1;
    clearTimeout(this.#retryTimer);
    const delay = retryDelay(this.#retryFailures, failure, this.#retry);
    this.#retryTimer = setTimeout(() => this.#enqueue({}), delay);
  }

  /**
   * Collections that failed on their own wait out the retry policy's delay for their count of
   * consecutive failures (runs meanwhile skip them); the leading tab runs again when the first is
   * due. A collection pulled successfully starts over. The other collections are not delayed.
   */
  #backOff(summary: RunSummary, failed: ReadonlyMap<string, unknown> | undefined): void {
    for (const c of summary.collections) if (c.outcome === 'ok') this.#backoff.delete(c.collection);
    for (const [collection, error] of failed ?? []) {
      const failures = (this.#backoff.get(collection)?.failures ?? 0) + 1;
      this.#backoff.set(collection, { failures, at: Date.now() + retryDelay(failures, error, this.#retry) });
    }
    clearTimeout(this.#backoffTimer);
    const now = Date.now();
    const next = Math.min(...[...this.#backoff.values()].map((b) => b.at).filter((at) => at > now));
    if (next === Infinity || !this.#leader || this.#closed) return;
    this.#backoffTimer = setTimeout(() => this.#enqueue({}), next - now);
  }

  // --- leadership, channel, locks

  async #lead(): Promise<void> {
    this.#leader = true;
    this.#leader$.next(true);
    try {
      const triggers = this.#options.triggers;
      // Triggers that signal at once on subscribe (a listener's `start`) make the first run.
      let signalled = false;
      if (triggers !== undefined) {
        const signals$ = typeof triggers === 'function' ? triggers(this.pullOutcomes$) : triggers;
        this.#subscriptions.push(
          signals$.subscribe({
            next: (signal) => {
              signalled = true;
              this.#enqueue(signalRequest(signal));
            },
          }),
        );
      }
      const changes$ = this.#database.changes$;
      if (changes$ !== undefined && this.#options.autoPush !== false) {
        // A write to a synced store through the database handle, in this tab or another: push it.
        this.#subscriptions.push(
          changes$.subscribe((change) => {
            if (change.origin !== 'remote' && this.#collections.get(change.store)?.kind === 'transactional')
              this.#enqueue({});
          }),
        );
      }
      if (this.#live !== undefined) {
        this.#subscriptions.push(
          this.#live.connection$.subscribe((kind) => {
            if (!this.#closed) this.#presence.setConnection(kind);
          }),
        );
      }
      // Function triggers follow the environment themselves (and retry when back online).
      if (!this.#triggersRetry) this.#followEnvironment();
      if (!signalled) this.#enqueue({});
      this.#onLeading?.();
      await new Promise<void>((resolve) => {
        if (this.#closing.signal.aborted) resolve();
        this.#closing.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      this.#leader = false;
      if (!this.#closed) this.#leader$.next(false);
    }
  }

  /** Coming back online runs at once; no retry waits while offline. */
  #followEnvironment(): void {
    const environment = this.#options.environment ?? browserEnvironment();
    this.#subscriptions.push(
      distinct(environment.online$).subscribe((online) => {
        const back = online && !this.#online;
        this.#online = online;
        if (!online) clearTimeout(this.#retryTimer);
        else if (back) this.#enqueue({});
      }),
    );
  }

  /** True while this tab or another tab of the database is visible (the one-call connection follows it). */
  get anyTabVisible$(): Observable<boolean> {
    return this.#presence.anyTabVisible$;
  }

  /** Opens the BroadcastChannel and starts watching the database's events (once). */
  #openShared(): void {
    if (this.#watching || this.#closed) return;
    this.#watching = true;
    const events$ = this.#database.events$;
    if (events$ !== undefined) {
      this.#subscriptions.push(
        events$.subscribe((event) => {
          if (event.type === 'evicted') this.#evicted = true;
        }),
      );
    }
    this.#channel = openTabChannel(`idb-sync:${this.#database.name}`);
    if (this.#live !== undefined) {
      this.#presence.join(this.#channel, (this.#options.environment ?? browserEnvironment()).visible$);
    }
  }

  #lock(kind: 'run' | 'leader'): CrossTabLock {
    if (kind === 'run' && this.#runLock !== undefined) return this.#runLock;
    const lock = crossTabLock({
      name: `idb-sync:${this.#database.name}:${kind}`,
      locks: this.#options.locks,
      connect: this.#connect,
      owner: this.#instance,
      ttlMs: this.#options.lockTtlMs ?? 10_000,
      channel: () => this.#channel,
    });
    if (kind === 'run') this.#runLock = lock;
    return lock;
  }

  // --- events

  /** Changes this client made go to the database handle's `changes$` (all tabs hear them there). */
  #emitChanges(changes: readonly SyncChange[]): void {
    if (changes.length === 0) return;
    this.#database[announceSyncChanges]?.(changes);
  }

  #emitError(error: unknown): void {
    if (this.#closed) return;
    this.#errors.next(error);
    this.#log({ type: 'error', ...describeFailure(error) });
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

  #assertOpen(): void {
    if (this.#closed) throw new DOMException('The sync client was closed', 'InvalidStateError');
  }
}
