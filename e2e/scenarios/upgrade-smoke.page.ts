// The upgrade of issue #2 in a real browser, through the public API: v1 → v2 → v3 (one app release
// per page load) and v1 → v3 directly. What the upgrade left is read back with raw IndexedDB.
import { defineDatabase } from '../../src/index.js';
import { describeDatabase, openRaw } from './support/describe-database.js';

const v1 = {
  version: 1,
  stores: {
    items: {
      keyPath: 'id',
      kind: 'lookup',
      indexes: { byName: { keyPath: 'name' }, byCode: { keyPath: 'code' } },
    },
    notes: { keyPath: 'id', keyType: 'number', kind: 'transactional' },
    legacy: { keyPath: 'id', kind: 'local' },
  },
} as const;

// v2: items.byName removed, items.byCode made unique, items.byTag added; notes re-keyed on `uuid`.
const v2 = {
  version: 2,
  stores: {
    items: {
      keyPath: 'id',
      kind: 'lookup',
      indexes: { byCode: { keyPath: 'code', unique: true }, byTag: { keyPath: 'tags', multiEntry: true } },
    },
    notes: { keyPath: 'uuid', kind: 'transactional' },
    legacy: { keyPath: 'id', kind: 'local' },
  },
} as const;

// v3: the legacy store removed; notes get an index.
const v3 = {
  version: 3,
  stores: {
    items: v2.stores.items,
    notes: { keyPath: 'uuid', kind: 'transactional', indexes: { byTitle: { keyPath: 'title' } } },
  },
} as const;

const versions = [v1, v2, v3] as const;

function handle(name: string, upTo: 1 | 2 | 3) {
  return defineDatabase({ name, versions: versions.slice(0, upTo), blockedTimeoutMs: 5_000 });
}

/** Creates the database at v1 through the SDK and writes the records the later versions must keep. */
export async function seedV1(name: string) {
  const db = handle(name, 1);
  // items is a lookup store: written here as a pull would, locally only.
  await db.write(
    ['items', 'notes', 'legacy'],
    (tx) => {
      const items = tx.objectStore('items');
      items.put({ id: 1, name: 'bolt', code: 'B-1', tags: ['metal', 'small'] });
      items.put({ id: 2, name: 'bolt', code: 'B-2', tags: ['metal'] });
      items.put({ id: 3, name: 'nut', code: 'N-1', tags: [] });
      const notes = tx.objectStore('notes');
      notes.put({ id: 1, uuid: 'c9', title: 'first' });
      notes.put({ id: 2, uuid: 'a7', title: 'second' });
      tx.objectStore('legacy').put({ id: 'old', value: 42 });
    },
    { localOnly: true },
  );
  await db.close();
  return readBack(name);
}

/** What is on disk, read through a raw connection opened after the SDK's is closed. */
async function readBack(name: string) {
  const raw = await openRaw(name);
  if (!raw) throw new Error(`database ${name} does not exist`);
  try {
    return await describeDatabase(raw);
  } finally {
    raw.close();
  }
}

/**
 * Opens the database as an app that declares versions 1..`upTo` would, then reports what is on disk,
 * the upgrade reports, and what happens to a write that breaks the unique index.
 */
export async function openAt(name: string, upTo: 2 | 3) {
  const db = handle(name, upTo);
  await db.open();
  const reports = await db.upgradeReports();
  let duplicateCode: { name: string; code?: string } | 'accepted';
  try {
    await db.put('items', { id: 99, name: 'dup', code: 'B-1', tags: [] }, { localOnly: true });
    duplicateCode = 'accepted';
  } catch (error) {
    const { name: errorName, code } = error as { name: string; code?: string };
    duplicateCode = { name: errorName, ...(typeof code === 'string' ? { code } : {}) };
  }
  const declaredVersion = db.version;
  await db.close();
  return { declaredVersion, shape: await readBack(name), reports, duplicateCode };
}
