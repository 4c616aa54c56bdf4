import type { DBSchema, StoreKey, StoreNames, StoreValue } from 'idb';
import type { DatabaseHandle } from '../db/define-database.js';
import type { SyncEnvironment } from '../listeners/environment.js';
import type { TransportsOptions } from '../listeners/live-connection.js';
import type { PullOutcome } from '../listeners/pull-signal.js';
import type { PullFilter, RecordValue } from '../protocol/messages.js';
import type { Observable, Subscribable } from '../rx/observable.js';
import type { RetryOptions } from '../transport/retry-policy.js';
import type { GetToken, SyncTransport } from '../transport/sync-transport.js';
import type { ConflictStrategy } from './conflict-strategy.js';
import type { LockManagerLike } from './sync-lock.js';
import type { SyncLogEntry } from './sync-log.js';

/** Options of one synced collection; `T` is its record type, `K` its key type. */
export interface CollectionOptions<T = unknown, K extends string | number = string | number> {
  /** How push conflicts are resolved (see {@link ConflictStrategy}). Default `'server-wins'`. */
  readonly conflicts?: ConflictStrategy<T, K>;
  /** Records per pulled page. Default: the client's `windowSize`. */
  readonly windowSize?: number;
  /** Pull only records whose top-level fields equal these values. Default: all records. */
  readonly filter?: PullFilter;
  /**
   * The largest pulled record to store, in bytes of its JSON (UTF-8) as the server sent it: a larger
   * one is not stored but put in the skipped-records log with the reason `too-large` (its value is
   * not kept; a full sync retries it), and the rest of its page is written. Default: no limit.
   */
  readonly maxRecordBytes?: number;
  /**
   * Pull order of a run: higher first. Among equal priorities transactional collections come before
   * lookups, then those with a smaller known size, so a large lookup does not hold the others back.
   * Default `0`.
   */
  readonly priority?: number;
  /**
   * Turns a record as the server sent it into the record stored locally, e.g. to add fields derived
   * from the server's (search tokens, a price band). Applied to every record a pull writes
   * (incremental, full and red) and to the server's value of a push conflict before the conflict
   * strategy sees it, so `remote`, the stored result and the log are in the local shape. Gets the
   * server's value with the id at the key path; the id and the revision field are set again on its
   * result, so it cannot change them. Must be pure and synchronous: it runs inside the page's
   * IndexedDB transaction. If it throws (or returns no record), the record is not stored but put
   * in the skipped-records log with the reason `transform-failed`, and the rest of its page is
   * written (`sync({ retrySkipped })` stores it once the transform is fixed). Records a pull skips (already at the
   * pulled revision) are not transformed again: when the transform changes in a new app version,
   * add a migration that derives the same fields. Default: records are stored as the server sent them.
   */
  readonly fromServer?: (record: T) => T;
  /**
   * Turns a local record into the value pushed to the server, e.g. to drop fields `fromServer`
   * derived so the server never stores them. Applied to every pushed value; the outbox and the
   * conflict log keep the local shape. Pure and synchronous; if it throws, the push fails with a
   * `RecordTransformError` before anything is sent. Default: local records are pushed whole,
   * derived fields included.
   */
  readonly toServer?: (record: T) => RecordValue;
}

/**
 * Per-collection options, keyed by store name. With a typed database (`defineDatabase<Schema>`) the
 * keys are the schema's store names and each collection's options (conflict fields, transforms) are
 * typed with that store's record type.
 */
export type SyncCollections<S = unknown> = unknown extends S
  ? { readonly [store: string]: CollectionOptions }
  : S extends DBSchema
    ? {
        readonly [N in StoreNames<S> & string]?: CollectionOptions<
          StoreValue<S, N>,
          StoreKey<S, N> extends string | number ? StoreKey<S, N> : never
        >;
      }
    : { readonly [store: string]: CollectionOptions };

/**
 * Options shared by both forms of {@link createSyncClient}; `S` is the database's schema type
 * (inferred from `database`).
 */
export interface SyncClientBaseOptions<S = unknown> {
  /** The database handle from `defineDatabase`. Its stores of kind `transactional` and `lookup` are synced. */
  readonly database: DatabaseHandle<S>;
  /**
   * Per-collection options. Default: every `transactional` and `lookup` store with default options.
   * When given, only the listed stores are synced.
   */
  readonly collections?: NoInfer<SyncCollections<S>>;
  /** Records per pulled page. Default `500` (the server may clamp it). */
  readonly windowSize?: number;
  /** Most mutations per push. Default `200` (the server's `maxMutationsPerPush` caps it). */
  readonly maxPushBatch?: number;
  /**
   * Push right after each write to a synced store through the database handle, in any tab (the
   * leading tab follows the handle's `changes$`). Default `true`.
   */
  readonly autoPush?: boolean;
  /**
   * The retry policy ({@link RetryOptions}, the SDK's one shape): delays before retrying a run that
   * failed on the network or with a retryable server error (full jitter from `initialMs`, doubling
   * up to `maxMs`, at least the server's `Retry-After` up to `maxRetryAfterMs`); in the one-call
   * form also the requests' own retries and the listeners' reconnects. Only the leading tab
   * retries runs. Defaults: `initialMs` 1 s, `maxMs` 60 s, `maxRetryAfterMs` 10 min.
   */
  readonly retry?: RetryOptions;
  /**
   * Online and visibility signals (default `browserEnvironment()`): coming back online runs a sync
   * at once, and no run is retried while offline. In the one-call form the listeners follow it too
   * (paused while offline or hidden).
   */
  readonly environment?: SyncEnvironment;
  /**
   * Lifetime of the fallback cross-tab lock used where Web Locks are missing: a tab that dies holding
   * it blocks the others for at most this long, in milliseconds. Default `10_000`.
   */
  readonly lockTtlMs?: number;
  /** The Web Locks manager. Default `navigator.locks`; `null` forces the fallback lock in `_sync`. */
  readonly locks?: LockManagerLike | null;
  /** Receives run summaries, conflicts, errors and status changes. Default: nothing is logged. */
  readonly logger?: (entry: SyncLogEntry) => void;
  /** Let the logger see record contents (conflict values). Default `false`: they are redacted. */
  readonly logRecordContents?: boolean;
}

/**
 * The advanced form of {@link createSyncClient}: a transport you built (`createHttpTransport`, a
 * `connectionManager`'s `syncTransport`, a test wrapper) and optional triggers.
 */
export interface SyncClientOptions<S = unknown> extends SyncClientBaseOptions<S> {
  /** The server connection, e.g. `createHttpTransport(...)`. */
  readonly transport: SyncTransport;
  /**
   * "Sync now" signals: each emission requests a run (coalesced with one already queued); a
   * `PullSignal` naming `collections` pulls only those (the outbox is always pushed). Only the
   * leading tab follows them. Either an observable, or a function the client calls with its own
   * pull outcomes (`connectionManager(...).triggers`): the triggers then also retry failed runs
   * (after the backoff, paused while offline or hidden), instead of the client. Default: none.
   */
  readonly triggers?:
    | Subscribable<unknown>
    | ((pullOutcomes: Observable<PullOutcome>) => Subscribable<unknown>);
  /** Not with `transport`: the one-call form takes `url`. */
  readonly url?: never;
}

/**
 * The one-call form of {@link createSyncClient}: the client builds its HTTP and WebSocket
 * transports, hears changes over the best channel the server offers (WebSocket, else Server-Sent
 * Events, else polling, falling back and upgrading again by itself) and follows it once started.
 */
export interface LiveSyncClientOptions<S = unknown> extends SyncClientBaseOptions<S> {
  /**
   * The sync server's base URL, e.g. `https://sync.example.com` or `https://example.com/api` (a
   * path prefix is kept; `/v1/...` is appended).
   */
  readonly url: string | URL;
  /**
   * The auth hook: returns the bearer token (or `null` for none); called with `forceRefresh: true`
   * once after a 401. Default: no `Authorization` header.
   */
  readonly getToken?: GetToken;
  /** Which channels to use and how; see {@link TransportsOptions}. Default: all, best first. */
  readonly transports?: TransportsOptions;
  /** Not with `url`: the advanced form takes `transport`. */
  readonly transport?: never;
  /** Not with `url`: the one-call client triggers itself. */
  readonly triggers?: never;
}
