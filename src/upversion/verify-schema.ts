import type { DeclaredSchema, DeclaredStore } from './declare-schema.js';
import { diffSchema } from './diff-schema.js';
import { readLiveSchema } from './live-schema.js';
import { type MarkerRecord, metaKeys, type SchemaRecord } from './meta-records.js';
import { META_STORE } from './system-stores.js';

/** How an already-upgraded database compares with the declaration. */
export interface Verification {
  /** Declared stores and indexes (`store` / `store.index`) the live database lacks. */
  readonly missing: readonly string[];
  /** Stores and indexes whose live definition differs from the declaration. */
  readonly changed: readonly string[];
  /** The marker record, when `_meta` exists and has it. */
  readonly marker: MarkerRecord | undefined;
  /** The schema record written by the last upgrade, when `_meta` has it. */
  readonly schemaRecord: SchemaRecord | undefined;
}

/**
 * Compares the live structure with the latest declared version (stores and indexes the database
 * has beyond the declaration are ignored: they belong to newer code in another tab) and reads the
 * marker, in one readonly transaction.
 */
export function verifySchema(db: IDBDatabase, schema: DeclaredSchema): Promise<Verification> {
  const target = schema.latest.stores;
  const present = Object.keys(target).filter((name) => db.objectStoreNames.contains(name));
  const missing: string[] = Object.keys(target).filter((name) => !present.includes(name));
  if (present.length === 0)
    return Promise.resolve({ missing, changed: [], marker: undefined, schemaRecord: undefined });
  return new Promise((resolve, reject) => {
    const tx = db.transaction(present, 'readonly');
    const live = readLiveSchema(db, tx, present);
    const diff = diffSchema(
      live,
      Object.fromEntries(present.map((n) => [n, target[n]!])) as Record<string, DeclaredStore>,
    );
    missing.push(...diff.createIndexes.map((ref) => `${ref.store}.${ref.index}`));
    const changed = [
      ...diff.rebuildStores,
      ...diff.recreateIndexes.map((ref) => `${ref.store}.${ref.index}`),
    ];
    let marker: MarkerRecord | undefined;
    let schemaRecord: SchemaRecord | undefined;
    if (present.includes(META_STORE)) {
      const meta = tx.objectStore(META_STORE);
      const markerRequest = meta.get(metaKeys.marker);
      const schemaRequest = meta.get(metaKeys.schema);
      markerRequest.onsuccess = () => {
        marker = markerRequest.result as MarkerRecord | undefined;
      };
      schemaRequest.onsuccess = () => {
        schemaRecord = schemaRequest.result as SchemaRecord | undefined;
      };
    }
    tx.oncomplete = () => resolve({ missing, changed, marker, schemaRecord });
    tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

/** Writes a new marker (the database was emptied under us) and resolves once it is committed. */
export function writeMarker(db: IDBDatabase, marker: MarkerRecord): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(META_STORE, 'readwrite');
    tx.objectStore(META_STORE).put(marker);
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

/**
 * Whether code declaring `schema` can work on a database upgraded by newer code: every store it
 * declares exists with the same definition, and the newer code changed neither the definition
 * nor the data shape of those stores after a version this code knows (`stableSince`).
 */
export function isForwardCompatible(schema: DeclaredSchema, check: Verification): boolean {
  if (check.missing.length > 0 || check.changed.length > 0 || !check.schemaRecord) return false;
  const onDisk = check.schemaRecord.stores;
  return Object.values(schema.latest.stores).every((store) => {
    const live = onDisk[store.name];
    if (!live) return store.system; // a system store the newer code no longer records: structure checked above
    return (
      live.fingerprint === store.fingerprint && (store.system || live.stableSince <= schema.latest.version)
    );
  });
}
