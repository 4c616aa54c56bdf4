import type { DBSchema, StoreKey, StoreNames, StoreValue } from 'idb';
import type { Observable } from 'rxjs';
import type { DatabaseHandle } from '../db/define-database.js';
import type { PullFilter, RecordValue } from '../protocol/messages.js';
import type { SyncTransport } from '../transport/sync-transport.js';
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
   * Turns a record as the server sent it into the record stored locally, e.g. to add fields derived
   * from the server's (search tokens, a price band). Applied to every record a pull writes
   * (incremental, full and red) and to the server's value of a push conflict before the conflict
   * strategy sees it, so `remote`, the stored result and the log are in the local shape. Gets the
   * server's value with the id at the key path; the id and the revision field are set again on its
   * result, so it cannot change them. Must be pure and synchronous: it runs inside the page's
   * IndexedDB transaction. If it throws (or returns no record), the page fails with a
   * `RecordTransformError` and nothing of it is written. Records a pull skips (already at the
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

/** Options of {@link createSyncClient}; `S` is the database's schema type (inferred from `database`). */
export interface SyncClientOptions<S = unknown> {
  /** The database handle from `defineDatabase`. Its stores of kind `transactional` and `lookup` are synced. */
  readonly database: DatabaseHandle<S>;
  /** The server connection, e.g. `createHttpTransport(...)`. */
  readonly transport: SyncTransport;
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
   * "Sync now" signals, e.g. `connectionManager(...).signals$` from the listeners: each emission
   * requests a run (coalesced with one already queued); a signal naming `collections` pulls only
   * those (the outbox is always pushed). Only the leading tab follows them. Default: none.
   */
  readonly triggers?: Observable<unknown>;
  /**
   * Push right after each write to a synced store through the database handle, in any tab (the
   * leading tab follows the handle's `changes$`). Default `true`.
   */
  readonly autoPush?: boolean;
  /**
   * Delay before retrying a run that failed on the network or with a retryable server error, doubled
   * per failure up to `max`, in milliseconds. Only the leading tab retries. Default `{ initial: 1000, max: 60_000 }`.
   */
  readonly retryDelayMs?: { readonly initial?: number; readonly max?: number };
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
