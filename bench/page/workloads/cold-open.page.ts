// Workload 6: cold open. After a page load (no connection open, nothing cached in the page), the
// time from the first use of the database to the first query result: one record read by key from
// a store holding the whole collection.
import type { Change } from '../../../src/protocol/messages.js';
import { dexieLookup } from '../lib/dexie-sync.js';
import { fillDexie, fillRaw, fillRx } from '../lib/fill.js';
import { deleteAllDatabases, done, openDatabase, request } from '../lib/idb.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { LOOKUP, type ServiceType } from '../lib/lookup-schema.js';
import { openRawLookup } from '../lib/raw-sync.js';
import { openRxBench } from '../lib/rxdb-sync.js';
import { pullAll, type ServerAccess } from '../lib/server-pages.js';

export const COLD_OPEN_IMPLS = ['raw', 'dexie', 'rxdb', 'idb-sync'] as const;
export type ColdOpenImpl = (typeof COLD_OPEN_IMPLS)[number];

const dbName = (impl: ColdOpenImpl) => `bench-cold-${impl}`;

/** Deletes every database and fills one per implementation through its own API (not timed). */
export async function setup(access: ServerAccess, windowSize: number): Promise<Record<ColdOpenImpl, number>> {
  await deleteAllDatabases();
  const pages: Change[][] = (await pullAll(access, LOOKUP, null, windowSize)).pages;

  const raw = await openRawLookup(dbName('raw'));
  await fillRaw(raw, pages);
  raw.close();

  const dexie = dexieLookup(dbName('dexie'));
  await fillDexie(dexie, pages);
  const dexieCount = await dexie.lookup.count();
  dexie.db.close();

  const rx = await openRxBench(dbName('rxdb'));
  await fillRx(rx, pages);
  const rxCount = await rx.lookup.count().exec();
  await rx.db.close();

  const handle = benchDatabase(dbName('idb-sync'));
  for (const page of pages) {
    // Written as a pull would (a lookup store: locally only).
    await handle.write(
      [LOOKUP],
      (tx) => {
        const store = tx.objectStore(LOOKUP);
        for (const change of page) if (change.op === 'put') store.put(change.value);
      },
      { localOnly: true },
    );
  }
  const idbSyncCount = await handle.count(LOOKUP);
  await handle.close();

  const check = await openDatabase(dbName('raw'));
  const tx = check.transaction(LOOKUP, 'readonly');
  const rawCount = request(tx.objectStore(LOOKUP).count());
  await done(tx);
  check.close();
  return { raw: await rawCount, dexie: dexieCount, rxdb: rxCount, 'idb-sync': idbSyncCount };
}

/**
 * Timed, right after a page load: opens the implementation's database the way an app does at start
 * and reads record `id`. Returns the milliseconds to the result.
 */
export async function coldOpen(impl: ColdOpenImpl, id: string): Promise<number> {
  const started = performance.now();
  let record: ServiceType | undefined;
  if (impl === 'raw') {
    const db = await openDatabase(dbName(impl));
    const tx = db.transaction(LOOKUP, 'readonly');
    const got = request(tx.objectStore(LOOKUP).get(id));
    await done(tx);
    record = (await got) as ServiceType | undefined;
  } else if (impl === 'dexie') {
    record = await dexieLookup(dbName(impl)).lookup.get(id);
  } else if (impl === 'rxdb') {
    const rx = await openRxBench(dbName(impl));
    record = (await rx.lookup.findOne(id).exec())?.toJSON() as ServiceType | undefined;
  } else {
    record = (await benchDatabase(dbName(impl)).get(LOOKUP, id)) as ServiceType | undefined;
  }
  const ms = performance.now() - started;
  if (record?.id !== id) throw new Error(`${impl}: record ${id} not found after the cold open`);
  return ms;
}
