// Workload 3: schema upgrades of a store that holds the whole collection: adding one index, and a
// migration rewriting one field of every record. Raw IndexedDB does each in a versionchange
// transaction (createIndex; a cursor rewriting each record); idb-sync through declared versions.

import type { DatabaseHandle, VersionSpec } from '../../../src/index.js';
import type { Change } from '../../../src/protocol/messages.js';
import { fillRaw } from '../lib/fill.js';
import { deleteAllDatabases, done, openDatabase, request } from '../lib/idb.js';
import { benchDatabase, firstVersion, lookupStoreSpec } from '../lib/idb-sync-db.js';
import { LOOKUP, type ServiceType } from '../lib/lookup-schema.js';
import { openRawLookup } from '../lib/raw-sync.js';
import { pullAll, type ServerAccess } from '../lib/server-pages.js';

export const UPVERSION_IMPLS = ['raw', 'idb-sync'] as const;
export type UpversionImpl = (typeof UPVERSION_IMPLS)[number];

/** The index the upgrade adds (and the next step removes again, so every run adds it anew). */
const ADDED_INDEX = 'byCategory';

const dbName = (impl: UpversionImpl) => `bench-upversion-${impl}`;

/** idb-sync's declared versions so far: each step appends one. */
let versions: VersionSpec[] = [firstVersion];

/** The field rewrite of migration step `step`: every record's `name` in upper or lower case. */
function rewrite(value: ServiceType, step: number): void {
  value.name = step % 2 === 1 ? value.name.toUpperCase() : value.name.toLowerCase();
}

function expectedName(name: string, step: number): string {
  return step % 2 === 1 ? name.toUpperCase() : name.toLowerCase();
}

/** Deletes every database and creates both filled at their first version (not timed). */
export async function setup(access: ServerAccess, windowSize: number): Promise<number> {
  await deleteAllDatabases();
  versions = [firstVersion];
  let pages: Change[][] | undefined = (await pullAll(access, LOOKUP, null, windowSize)).pages;
  const raw = await openRawLookup(dbName('raw'));
  await fillRaw(raw, pages);
  raw.close();
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
  const count = await handle.count(LOOKUP);
  await handle.close();
  pages = undefined;
  return count;
}

function nextVersion(stores: VersionSpec['stores'], migrations?: VersionSpec['migrations']): VersionSpec {
  const version = (versions.at(-1)?.version ?? 0) + 1;
  return migrations ? { version, stores, migrations } : { version, stores };
}

const withIndex = (present: boolean): VersionSpec['stores'] => ({
  ...firstVersion.stores,
  [LOOKUP]: present
    ? { ...lookupStoreSpec, indexes: { ...lookupStoreSpec.indexes, [ADDED_INDEX]: { keyPath: 'category' } } }
    : lookupStoreSpec,
});

async function currentVersion(name: string): Promise<number> {
  const db = await openDatabase(name);
  const version = db.version;
  db.close();
  return version;
}

async function countByIndex(read: () => Promise<number>, expected: number): Promise<void> {
  const count = await read();
  if (count !== expected) throw new Error(`the new index holds ${count} entries, expected ${expected}`);
}

/**
 * Timed: opens the database at a new version that adds an index over every record, then counts
 * through the new index. Returns the milliseconds from the open to the count.
 */
export async function addIndex(impl: UpversionImpl, expected: number): Promise<number> {
  if (impl === 'raw') {
    const version = (await currentVersion(dbName(impl))) + 1;
    const started = performance.now();
    const db = await openDatabase(dbName(impl), version, (_db, tx) => {
      tx.objectStore(LOOKUP).createIndex(ADDED_INDEX, 'category');
    });
    const tx = db.transaction(LOOKUP, 'readonly');
    const count = request(tx.objectStore(LOOKUP).index(ADDED_INDEX).count());
    await done(tx);
    const ms = performance.now() - started;
    db.close();
    await countByIndex(() => count, expected);
    return ms;
  }
  versions = [...versions, nextVersion(withIndex(true))];
  const started = performance.now();
  const handle = benchDatabase(dbName(impl), versions);
  const count = await handle.read([LOOKUP], (tx) => tx.objectStore(LOOKUP).index(ADDED_INDEX).count());
  const ms = performance.now() - started;
  await handle.close();
  await countByIndex(async () => count, expected);
  return ms;
}

/** Not timed: removes the added index again (a new version), so the next run adds it anew. */
export async function dropIndex(impl: UpversionImpl): Promise<void> {
  if (impl === 'raw') {
    const version = (await currentVersion(dbName(impl))) + 1;
    const db = await openDatabase(dbName(impl), version, (_db, tx) => {
      tx.objectStore(LOOKUP).deleteIndex(ADDED_INDEX);
    });
    db.close();
    return;
  }
  versions = [...versions, nextVersion(withIndex(false))];
  const handle: DatabaseHandle = benchDatabase(dbName(impl), versions);
  await handle.open();
  await handle.close();
}

/** The first and last records by key, to check a migration reached both ends. */
async function ends(db: IDBDatabase): Promise<ServiceType[]> {
  const tx = db.transaction(LOOKUP, 'readonly');
  const store = tx.objectStore(LOOKUP);
  const first = request(store.openCursor(null, 'next'));
  const last = request(store.openCursor(null, 'prev'));
  await done(tx);
  return [(await first)?.value, (await last)?.value] as ServiceType[];
}

/** Raw migration strategies: a cursor updating each record, or pages of `getAll` + `put`. */
export type RawMigration = 'cursor' | 'batched';

/** Records per `getAll` page of the batched raw migration (idb-sync's default migration batch). */
const MIGRATION_BATCH = 500;

/** Issues the raw migration of every record inside the versionchange transaction `tx`. */
function rawMigrate(tx: IDBTransaction, strategy: RawMigration, step: number): void {
  const store = tx.objectStore(LOOKUP);
  if (strategy === 'cursor') {
    const cursorRequest = store.openCursor();
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (!cursor) return;
      const value = cursor.value as ServiceType;
      rewrite(value, step);
      cursor.update(value);
      cursor.continue();
    };
    return;
  }
  const page = (after: string | undefined) => {
    const values = store.getAll(
      after === undefined ? null : IDBKeyRange.lowerBound(after, true),
      MIGRATION_BATCH,
    );
    values.onsuccess = () => {
      const records = values.result as ServiceType[];
      for (const value of records) {
        rewrite(value, step);
        store.put(value);
      }
      const last = records.at(-1);
      if (last) page(last.id);
    };
  };
  page(undefined);
}

/**
 * Timed: opens the database at a new version whose migration rewrites `name` in every record, then
 * reads the first and last records. `impl` `raw` runs `strategy`; idb-sync runs its declared
 * migration (pages of 500). Returns the milliseconds from the open to the reads.
 */
export async function migrate(
  impl: UpversionImpl,
  step: number,
  strategy: RawMigration = 'batched',
): Promise<number> {
  let ms: number;
  if (impl === 'raw') {
    const version = (await currentVersion(dbName(impl))) + 1;
    const started = performance.now();
    const db = await openDatabase(dbName(impl), version, (_db, tx) => rawMigrate(tx, strategy, step));
    await ends(db);
    ms = performance.now() - started;
    db.close();
  } else {
    versions = [
      ...versions,
      nextVersion(versions.at(-1)?.stores ?? firstVersion.stores, {
        [LOOKUP]: (value: ServiceType) => {
          rewrite(value, step);
        },
      }),
    ];
    const started = performance.now();
    const handle = benchDatabase(dbName(impl), versions);
    await handle.get(LOOKUP, IDBKeyRange.lowerBound(''));
    ms = performance.now() - started;
    await handle.close();
  }
  const db = await openDatabase(dbName(impl));
  try {
    for (const record of await ends(db)) {
      if (record.name !== expectedName(record.name, step)) {
        throw new Error(`${impl}: record ${record.id} was not migrated (name "${record.name}")`);
      }
    }
  } finally {
    db.close();
  }
  return ms;
}
