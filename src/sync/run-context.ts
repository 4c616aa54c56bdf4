import type { ConnectionSource } from '../idb/transact.js';
import type { PullFilter } from '../protocol/messages.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import type { KeyType } from '../upversion/schema-types.js';
import type { CollectionKind } from './collection-plan.js';
import type { ConflictStrategy } from './conflict-strategy.js';
import type { StoreConflictLogEntry } from './internal-stores.js';
import type { TransformFn } from './record-transform.js';
import type { RunClock } from './run-summary.js';
import type { SyncChange } from './sync-change.js';

/** A synced collection as the runner uses it (options resolved against the database's declaration). */
export interface ResolvedCollection {
  readonly name: string;
  readonly kind: CollectionKind;
  readonly keyPath: string;
  /** The type of the store's keys (wire ids are decoded to it). */
  readonly keyType: KeyType;
  readonly conflicts: ConflictStrategy;
  readonly windowSize: number;
  readonly priority: number;
  readonly filter?: PullFilter;
  /** See `CollectionOptions.maxRecordBytes`. */
  readonly maxRecordBytes?: number | undefined;
  /** Server record → stored record (see `CollectionOptions.fromServer`). */
  readonly fromServer?: TransformFn;
  /** Local record → pushed value (see `CollectionOptions.toServer`). */
  readonly toServer?: TransformFn;
}

/** Progress of a full or red sync of one collection. */
export interface SyncProgress {
  /** The collection being synced. */
  readonly collection: string;
  /** A `full` (lookup) or `red` (transactional) snapshot. */
  readonly mode: 'red' | 'full';
  /** Records written so far by this snapshot (across reloads). */
  readonly done: number;
  /** Records in the server's snapshot, when the server said. */
  readonly total?: number | undefined;
  /**
   * Set on the collection's last event of the run: its snapshot and the changes after it are
   * written, the collection is complete and readable (the run may still pull others).
   */
  readonly ready?: true;
}

/** What one run's steps share. */
export interface RunContext {
  readonly connect: ConnectionSource;
  readonly transport: SyncTransport;
  readonly clientId: string;
  readonly revField: string;
  readonly schemaVersion: number;
  readonly collections: ReadonlyMap<string, ResolvedCollection>;
  readonly clock: RunClock;
  readonly signal: AbortSignal;
  emitChanges(changes: readonly SyncChange[]): void;
  /** A pulled page settled writes that waited for their record's revision: push again after the pulls. */
  releasedWrites(count: number): void;
  emitConflict(entry: StoreConflictLogEntry): void;
  /** The skipped-records log changed (for `skippedRecords$`). */
  skippedChanged(): void;
  emitError(error: unknown): void;
  emitProgress(progress: SyncProgress): void;
}
