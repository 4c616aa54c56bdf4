import type { StoreKind } from './schema-types.js';

/**
 * What one upgrade did, persisted in `_meta` in the upgrade's own transaction (so it exists exactly
 * when the upgrade committed). The sync layer reads it to force a full sync of changed lookup stores.
 * Store lists include the SDK's system stores (names starting with `_`).
 */
export interface UpgradeReport {
  /** The database name. */
  readonly database: string;
  /** App schema version before the upgrade; 0 when the database was created. */
  readonly fromVersion: number;
  /** App schema version after the upgrade. */
  readonly toVersion: number;
  /** IndexedDB version before the upgrade (0 when created). */
  readonly fromIdbVersion: number;
  /** IndexedDB version after the upgrade. */
  readonly toIdbVersion: number;
  /** The declared versions whose steps ran, in order (only the latest for a new database). */
  readonly appliedVersions: readonly number[];
  /** Stores that are new or were emptied (deleted and created again): nothing local to keep. */
  readonly createdStores: readonly string[];
  /** Stores that no longer exist. */
  readonly deletedStores: readonly string[];
  /** Existing stores whose definition (indexes, keyPath, kind) changed; their data was kept. */
  readonly changedStores: readonly string[];
  /** Existing stores rebuilt because their keyPath or autoIncrement changed (data copied). */
  readonly rebuiltStores: readonly string[];
  /** Indexes created or recreated on stores that already had data. */
  readonly rebuiltIndexes: readonly { readonly store: string; readonly index: string }[];
  /** Indexes removed from stores that still exist. */
  readonly deletedIndexes: readonly { readonly store: string; readonly index: string }[];
  /** Stores whose records went through a migration. */
  readonly migratedStores: readonly string[];
  /** The fingerprint of every store's declared definition after the upgrade. */
  readonly fingerprints: Readonly<Record<string, string>>;
  /** The kind of every store after the upgrade. */
  readonly kinds: Readonly<Record<string, StoreKind>>;
  /** When the upgrade ran, in milliseconds since the epoch. */
  readonly at: number;
}
