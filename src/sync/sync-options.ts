import type { Observable } from 'rxjs';
import type { PullFilter } from '../protocol/messages.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import type { ConflictStrategy } from './conflict-strategy.js';
import type { SyncDatabase } from './sync-database.js';
import type { LockManagerLike } from './sync-lock.js';
import type { SyncLogEntry } from './sync-log.js';

/** Options of one synced collection. */
export interface CollectionOptions<T = unknown> {
  /** How push conflicts are resolved (see {@link ConflictStrategy}). Default `'server-wins'`. */
  readonly conflicts?: ConflictStrategy<T>;
  /** Records per pulled page. Default: the client's `windowSize`. */
  readonly windowSize?: number;
  /** Pull only records whose top-level fields equal these values. Default: all records. */
  readonly filter?: PullFilter;
}

/** Options of {@link createSyncClient}. */
export interface SyncClientOptions {
  /** The database handle from `defineDatabase`. Its stores of kind `transactional` and `lookup` are synced. */
  readonly database: SyncDatabase;
  /** The server connection, e.g. `createHttpTransport(...)`. */
  readonly transport: SyncTransport;
  /**
   * Per-collection options. Default: every `transactional` and `lookup` store with default options.
   * When given, only the listed stores are synced.
   */
  readonly collections?: { readonly [store: string]: CollectionOptions };
  /** Records per pulled page. Default `500` (the server may clamp it). */
  readonly windowSize?: number;
  /** Most mutations per push. Default `200` (the server's `maxMutationsPerPush` caps it). */
  readonly maxPushBatch?: number;
  /**
   * Field of each stored record holding its server revision (used to push on top of the right
   * revision and to skip records a pull already has). Default `'_rev'`.
   */
  readonly revField?: string;
  /**
   * "Sync now" signals, e.g. `connectionManager(...).signals$` from the listeners: each emission
   * requests a run (coalesced with one already queued); a signal naming `collections` pulls only
   * those (the outbox is always pushed). Only the leading tab follows them. Default: none.
   */
  readonly triggers?: Observable<unknown>;
  /** Push right after each local write (in the leading tab). Default `true`. */
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
