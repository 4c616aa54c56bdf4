import type { MarkerRecord, SchemaRecord, UpgradeReportRecord } from './meta-records.js';
import type { StoreSpec } from './schema-types.js';

/**
 * A store the SDK itself needs. `since` is the SDK's system schema revision that introduced or last
 * changed it: the IndexedDB version of every database includes the highest `since`, so a new SDK
 * release that adds or changes a system store gets it applied on the next open even when the app's
 * own version did not change. Adding a store or index without bumping `since` is still healed (the
 * open notices what is missing and adds it), but changing one needs the bump.
 */
export interface SystemStoreSpec extends StoreSpec {
  readonly since: number;
}

/**
 * The SDK's internal stores, created in every database beside the app's. Names start with `_`
 * (app store names may not). The sync layer adds its own entries here.
 */
export const systemStores = {
  /** Upgrade reports, the eviction marker and the schema fingerprints (keyPath `key`). */
  _meta: { keyPath: 'key', kind: 'local', since: 1 },
  /** Sync: local writes not yet acknowledged by the server, by mutation id (src/sync/internal-stores.ts). */
  _outbox: {
    keyPath: 'mutationId',
    autoIncrement: true,
    kind: 'local',
    since: 1,
    indexes: { 'by-record': { keyPath: ['store', 'id'] } },
  },
  /** Sync: per-collection checkpoint, snapshot cursor and forced resets (keyPath `collection`). */
  _checkpoints: { keyPath: 'collection', kind: 'local', since: 1 },
  /** Sync: the durable log of resolved push conflicts. */
  _conflicts: { keyPath: 'seq', autoIncrement: true, kind: 'local', since: 1 },
  /** Sync: client id, outbox send marker, fallback cross-tab locks (keyPath `key`). */
  _sync: { keyPath: 'key', kind: 'local', since: 1 },
  /** Sync: pulled records the client could not store, by `[collection, id]` (src/sync/skipped-log.ts). */
  _skipped: { keyPath: ['collection', 'id'], kind: 'local', since: 2 },
} as const satisfies Record<`_${string}`, SystemStoreSpec>;

/** Name of a system store. */
export type SystemStoreName = keyof typeof systemStores;

/**
 * Key and value types of system stores, for typed access. Other SDK modules describe their own
 * stores by augmenting this interface (`declare module` … `interface SystemStoreTypes { … }`);
 * a system store not described here has unknown values.
 */
export interface SystemStoreTypes {
  /** The SDK's own records: eviction marker, schema, upgrade reports. */
  _meta: { key: string; value: MarkerRecord | SchemaRecord | UpgradeReportRecord };
}

/** The system stores as an idb `DBSchema`. */
export type SystemSchema = {
  [K in SystemStoreName]: K extends keyof SystemStoreTypes
    ? SystemStoreTypes[K]
    : { key: IDBValidKey; value: unknown };
};

/** The store holding the SDK's bookkeeping. */
export const META_STORE = '_meta' satisfies SystemStoreName;
