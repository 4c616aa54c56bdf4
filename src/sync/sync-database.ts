import type { announceSyncChanges } from '../db/database-handle.js';
import type { ConnectionSource } from '../idb/connection.js';
import type { Observable } from '../rx/observable.js';
import type { KeyPath, KeyType, StoreKind } from '../upversion/schema-types.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';
import type { PlanUpgradeReport } from './collection-plan.js';
import type { SyncChange } from './sync-change.js';

/**
 * The part of a database handle (`defineDatabase(...)`) the sync client uses: its connections (the
 * handle is a {@link ConnectionSource}), the declared stores with their kinds and key types, the
 * persisted upgrade reports, the handle's events and record changes, and the hook through which
 * the client announces the changes it makes.
 */
export interface SyncDatabase extends ConnectionSource {
  readonly name: string;
  /** The app's schema version (the latest declared). */
  readonly version: number;
  /** The latest declared stores, with their sync kind. */
  readonly stores: {
    readonly [store: string]: {
      readonly keyPath?: KeyPath | null;
      readonly kind: StoreKind;
      readonly keyType?: KeyType;
    };
  };
  /** Every upgrade the database went through, also those run by another tab. */
  upgradeReports(): Promise<readonly UpgradeReport[]>;
  /** Lifecycle events; an `evicted` event makes the next run report eviction as the reason for its resyncs. */
  readonly events$?: Observable<{ readonly type: string }>;
  /** True from a detected eviction until {@link acknowledgeEviction}. */
  readonly evicted?: boolean;
  /** Called after a run that refetched everything following an eviction. */
  acknowledgeEviction?(): void;
  /** Drops the connection; the next operation opens a new one. */
  close?(): Promise<void>;
  /** Field of synced records holding their server revision. Default `'_rev'`. */
  readonly revField?: string;
  /** The handle's record changes: the leading tab pushes after writes to synced stores (any tab). */
  readonly changes$?: Observable<{ readonly store: string; readonly origin: string }>;
  /** Where the client reports the changes it made, for the handle's `changes$`. */
  [announceSyncChanges]?(changes: readonly SyncChange[]): void;
}

/**
 * The connections of a database handle for the sync engine's transactions: the handle itself (it is
 * a {@link ConnectionSource}: lazy reopen, lost-connection grace).
 */
export function connectionSource(database: object): ConnectionSource {
  return database as SyncDatabase;
}

/** Reduces upgrade reports to the stores each one touched in a way that invalidates synced data. */
export function toPlanReports(reports: readonly UpgradeReport[]): PlanUpgradeReport[] {
  return reports.map((r) => ({
    toVersion: r.toVersion,
    touchedStores: [
      ...new Set([
        ...r.createdStores,
        ...r.changedStores,
        ...r.rebuiltStores,
        ...r.migratedStores,
        ...r.rebuiltIndexes.map((i) => i.store),
      ]),
    ],
  }));
}
