import type { StoreKind } from './schema-types.js';
import type { UpgradeReport } from './upgrade-report.js';

/**
 * Written when the SDK creates a database. A database whose `_meta` store exists but lacks it lost
 * its records under us (eviction): the handle then reports `evicted`.
 */
export interface MarkerRecord {
  /** The record's key in `_meta`. */
  readonly key: 'marker';
  /** Random id of this incarnation of the database; a recreated database gets a new one. */
  readonly databaseId: string;
  /** When the database was created, in milliseconds since the epoch. */
  readonly createdAt: number;
}

/** The schema the database was last upgraded to, with a fingerprint per store. */
export interface SchemaRecord {
  /** The record's key in `_meta`. */
  readonly key: 'schema';
  /** App schema version. */
  readonly version: number;
  /** IndexedDB version (app version × 1000 + system revision). */
  readonly idbVersion: number;
  /** Per store: its kind, the fingerprint of its declared definition, and its `stableSince` version. */
  readonly stores: Readonly<
    Record<string, { readonly kind: StoreKind; readonly fingerprint: string; readonly stableSince: number }>
  >;
}

/** One persisted upgrade report; `key` sorts reports in upgrade order. */
export interface UpgradeReportRecord extends UpgradeReport {
  /** The record's key in `_meta`: sorts reports in upgrade order. */
  readonly key: string;
}

/** Keys of the `_meta` store. */
export const metaKeys = {
  marker: 'marker',
  schema: 'schema',
  /** Prefix of report keys; the IndexedDB version is zero-padded after it so keys sort in order. */
  reportPrefix: 'upgrade-report:',
  report: (idbVersion: number) => `upgrade-report:${String(idbVersion).padStart(16, '0')}`,
} as const;

/** A marker for a database created (or found emptied) now, with a random id. */
export function createMarker(): MarkerRecord {
  // getRandomValues, unlike randomUUID, also works on plain-http origins.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const databaseId = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return { key: 'marker', databaseId, createdAt: Date.now() };
}
