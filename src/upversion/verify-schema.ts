import type { DeclaredSchema, DeclaredStore } from './declare-schema.js';
import { diffSchema } from './diff-schema.js';
import { readLiveSchema } from './live-schema.js';
import { type MarkerRecord, metaKeys } from './meta-records.js';
import { META_STORE } from './system-stores.js';

/** How an already-upgraded database compares with the declaration. */
export interface Verification {
  /** Declared stores and indexes (`store` / `store.index`) the live database lacks. */
  readonly missing: readonly string[];
  /** Stores and indexes whose live definition differs from the declaration. */
  readonly changed: readonly string[];
  /** The marker record, when `_meta` exists and has it. */
  readonly marker: MarkerRecord | undefined;
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
  if (present.length === 0) return Promise.resolve({ missing, changed: [], marker: undefined });
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
    if (present.includes(META_STORE)) {
      const request = tx.objectStore(META_STORE).get(metaKeys.marker);
      request.onsuccess = () => {
        marker = request.result as MarkerRecord | undefined;
      };
    }
    tx.oncomplete = () => resolve({ missing, changed, marker });
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
