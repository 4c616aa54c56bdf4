import { type IDBPDatabase, unwrap, wrap } from 'idb';
import type { Observable } from 'rxjs';
import type { Connection, ConnectionSource } from '../idb/connection.js';
import type { KeyPath, StoreKind } from '../upversion/schema-types.js';
import type { UpgradeReport } from '../upversion/upgrade-report.js';
import type { PlanUpgradeReport } from './collection-plan.js';

/**
 * The part of a database handle (`defineDatabase(...)`) the sync client uses: the declared stores
 * with their kinds, a live connection, the persisted upgrade reports and the handle's events.
 */
export interface SyncDatabase {
  readonly name: string;
  /** The app's schema version (the latest declared). */
  readonly version: number;
  /** The latest declared stores, with their sync kind. */
  readonly stores: {
    readonly [store: string]: { readonly keyPath?: KeyPath | null; readonly kind: StoreKind };
  };
  /** An open connection (reopened after a versionchange or an eviction). */
  db(): Promise<IDBDatabase | object>;
  /** Every upgrade the database went through, also those run by another tab. */
  upgradeReports(): Promise<readonly UpgradeReport[]>;
  /** Lifecycle events; an `evicted` event makes the next run report eviction as the reason for its resyncs. */
  readonly events$?: Observable<{ readonly type: string }>;
  /** True from a detected eviction until {@link acknowledgeEviction}. */
  readonly evicted?: boolean;
  /** Called after a run that refetched everything following an eviction. */
  acknowledgeEviction?(): void;
  /** Drops the connection; the next `db()` opens a new one. */
  close?(): Promise<void>;
}

/**
 * The connections of `database` for the sync engine's transactions: the handle itself (it is a
 * {@link ConnectionSource}: lazy reopen, lost-connection grace), or, for another implementation of
 * {@link SyncDatabase}, one built from its `db()` and `close()`.
 */
export function connectionSource(database: SyncDatabase): ConnectionSource {
  if (isConnectionSource(database)) return database;
  const never = new Promise<void>(() => {});
  return {
    database: database.name,
    lostConnectionGraceMs: 2_000,
    async connect(): Promise<Connection> {
      const db = await database.db();
      // idb's `unwrap` returns the raw connection of a wrapped one, and undefined for a raw one.
      const raw = (unwrap as (value: object) => IDBDatabase | undefined)(db) ?? (db as IDBDatabase);
      return { raw, db: wrap(raw) as IDBPDatabase<unknown>, dead: false, lost: never };
    },
    discard(): void {
      // The database still hands out the connection found closed (it got no `close` event): drop it.
      void database.close?.();
    },
  };
}

function isConnectionSource(value: object): value is ConnectionSource {
  const candidate = value as Partial<ConnectionSource>;
  return typeof candidate.connect === 'function' && typeof candidate.discard === 'function';
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
