import type { DBSchema, StoreNames } from 'idb';
import type { ConnectionKind, PullOutcome } from '../listeners/pull-signal.js';
import type { Observable } from '../rx/observable.js';
import type { ConflictLogEntry } from './internal-stores.js';
import type { SyncProgress } from './run-context.js';
import type { RunSummary } from './run-summary.js';
import type { SkippedRecord } from './skipped-log.js';
import type { SyncStatus } from './sync-log.js';

/** A store name of the schema `S` (any string without a schema type). */
export type CollectionName<S> = unknown extends S
  ? string
  : S extends DBSchema
    ? StoreNames<S> & string
    : string;

/** The conflict log entries of store `N` (of any store when `N` is every store name). */
export type ConflictLogOf<S, N> = unknown extends S
  ? ConflictLogEntry
  : Extract<ConflictLogEntry<S>, { readonly store: N }>;

/** What one `sync()` call asks for; every option adds to what the run does anyway. */
export interface SyncRequestOptions<S = unknown> {
  /**
   * Red-sync these transactional collections (`true`: all of them): push the outbox, then clear and
   * refetch. Asked of a lookup collection, it means a full sync. Default: none.
   */
  readonly red?: boolean | readonly CollectionName<S>[];
  /** Fully resync these collections (`true`: all): lookup stores keep their old data readable meanwhile. Default: none. */
  readonly full?: boolean | readonly CollectionName<S>[];
  /** Pull only these collections in this run (the outbox is always pushed whole). Default: all. */
  readonly collections?: readonly CollectionName<S>[];
  /**
   * Retry the skipped records of these collections (`true`: all) at the end of their pull, from the
   * values the log kept (a fixed `fromServer`, a freed unique value). Unique clashes are retried by
   * every pull anyway, the others after a schema upgrade and by a full sync. Default: none.
   */
  readonly retrySkipped?: boolean | readonly CollectionName<S>[];
}

/**
 * The sync client of one database. Create it with {@link createSyncClient}; `S` is the database's
 * schema type, which types collection names and conflict log entries. Writes go through the
 * database handle (`appDb.put`, `appDb.write`, …): they are synced from there.
 */
export interface SyncClient<S = unknown> {
  /** Current status, replayed to new subscribers. */
  readonly status$: Observable<SyncStatus>;
  /** Progress of red and full syncs, one event per page. */
  readonly progress$: Observable<SyncProgress>;
  /** Failures of runs, rejected writes (`MutationRejectedError`), failing resolvers (`ConflictResolverError`). */
  readonly errors$: Observable<unknown>;
  /** Each resolved conflict, once it is in the conflict log. */
  readonly conflicts$: Observable<ConflictLogEntry<S>>;
  /** The summary of each finished run. */
  readonly runs$: Observable<RunSummary>;
  /**
   * `{ ok: true }` after each successful run, `{ ok: false, error }` after each one that failed in a
   * way worth retrying (network, retryable server error; `error` keeps its `retryAfterMs`). Function
   * triggers (`connectionManager(...).triggers`) get it by themselves; a hand-built listener takes it
   * as its `pullOutcomes` option.
   */
  readonly pullOutcomes$: Observable<PullOutcome>;
  /** True while this tab leads: it follows triggers, pushes local writes of every tab and retries. */
  readonly isLeader: boolean;
  /** `isLeader` as it changes, replayed to new subscribers. */
  readonly leader$: Observable<boolean>;
  /**
   * Starts background sync: joins the cross-tab leader election; the leading tab runs at once, then on
   * each trigger, after local writes (`autoPush`) and on retries. Opens the BroadcastChannel.
   * Resolves once this tab leads (its first run queued: `whenIdle()` then waits for it) or knows that
   * another tab leads.
   */
  start(): Promise<void>;
  /** Runs a sync (after the one under way, if any) and resolves with its summary. Never rejects for sync failures: see `outcome`. */
  sync(options?: SyncRequestOptions<S>): Promise<RunSummary>;
  /** Resolves when no run is under way or queued. */
  whenIdle(): Promise<void>;
  /** Local writes not yet acknowledged by the server. */
  pendingWrites(): Promise<number>;
  /** The conflict log, oldest first (`store`: one collection only). */
  conflictLog<N extends CollectionName<S> = CollectionName<S>>(store?: N): Promise<ConflictLogOf<S, N>[]>;
  /** Empties the conflict log (up to `upToSeq` when given); resolves with the number of entries removed. */
  clearConflictLog(upToSeq?: number): Promise<number>;
  /**
   * The skipped-records log, oldest first (`collection`: one only): pulled records the client could
   * not store (a unique clash, a `fromServer` that threw, an invalid key, a value IndexedDB refused).
   * Sync went on without them; each stays listed until a pull stores it or the server drops it.
   */
  skippedRecords(collection?: CollectionName<S>): Promise<SkippedRecord[]>;
  /**
   * The skipped-records log as it changes (the whole list, oldest first): emitted on subscribe and
   * after each change made by a run of any tab (tabs hear each other once their client started).
   */
  readonly skippedRecords$: Observable<SkippedRecord[]>;
  /** Stops background sync, aborts requests under way, releases locks and closes the channel. */
  close(): Promise<void>;
}

/**
 * The client of the one-call form (`createSyncClient({ database, url, getToken })`): a
 * {@link SyncClient} that also says how it hears about server changes.
 */
export interface LiveSyncClient<S = unknown> extends SyncClient<S> {
  /**
   * How the client hears about server changes: `websocket`, `sse`, `polling`, or `offline` (not
   * started, offline, hidden, or closed). Only the leading tab holds a connection; the other tabs
   * show the leader's. Replays the current value to each subscriber.
   */
  readonly connection$: Observable<ConnectionKind>;
}
