// Setting up a database that already holds the dataset (not timed): each implementation is filled
// through its own API.
import type { Change } from '../../../src/protocol/messages.js';
import type { DexieLookup } from './dexie-sync.js';
import { done } from './idb.js';
import { LOOKUP, type ServiceType } from './lookup-schema.js';
import { writeChanges } from './raw-sync.js';
import type { RxBench } from './rxdb-sync.js';

const values = (page: readonly Change[]) =>
  page.flatMap((c) => (c.op === 'put' ? [c.value as ServiceType] : []));

/** Raw IndexedDB: one transaction per page. */
export async function fillRaw(db: IDBDatabase, pages: readonly Change[][]): Promise<void> {
  for (const page of pages) {
    const tx = db.transaction(LOOKUP, 'readwrite');
    writeChanges(tx.objectStore(LOOKUP), page);
    await done(tx);
  }
}

/** Dexie: one `bulkPut` per page. */
export async function fillDexie(d: DexieLookup, pages: readonly Change[][]): Promise<void> {
  for (const page of pages) await d.lookup.bulkPut(values(page));
}

/** RxDB: one `bulkInsert` per page. */
export async function fillRx(rx: RxBench, pages: readonly Change[][]): Promise<void> {
  for (const page of pages) {
    const result = await rx.lookup.bulkInsert(values(page));
    if (result.error.length > 0) throw new Error(`RxDB bulkInsert refused ${result.error.length} documents`);
  }
}
