import { describe, expect, it } from 'vitest';
import { describeRaw, readAllRaw, sortBy, uniqueName } from '../../test/db/test-support.js';
import { defineDatabase } from '../db/define-database.js';
import type { VersionSpec } from './schema-types.js';
import { systemStores } from './system-stores.js';

const v3StoreNames = [...Object.keys(systemStores), 'items', 'notes'].sort();

// v1 → v2: items.byName removed, items.byCode made unique, items.byTag added, notes re-keyed on uuid.
// v2 → v3: legacy removed, notes get an index. The same chain the Chromium smoke test runs.
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
} as const satisfies VersionSpec;

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
} as const satisfies VersionSpec;

const v3 = {
  version: 3,
  stores: {
    items: v2.stores.items,
    notes: { keyPath: 'uuid', kind: 'transactional', indexes: { byTitle: { keyPath: 'title' } } },
  },
} as const satisfies VersionSpec;

const items = [
  { id: 1, name: 'bolt', code: 'B-1', tags: ['metal', 'small'] },
  { id: 2, name: 'bolt', code: 'B-2', tags: ['metal'] },
  { id: 3, name: 'nut', code: 'N-1', tags: [] },
];
const notes = [
  { id: 1, uuid: 'c9', title: 'first' },
  { id: 2, uuid: 'a7', title: 'second' },
];

async function seedV1(name: string): Promise<void> {
  const db = defineDatabase({ name, versions: [v1] });
  await db.write(
    ['items', 'notes', 'legacy'],
    (tx) => {
      for (const item of items) tx.objectStore('items').put(item);
      for (const note of notes) tx.objectStore('notes').put(note);
      tx.objectStore('legacy').put({ id: 'old', value: 42 });
    },
    { localOnly: true }, // items is a lookup store
  );
  await db.close();
}

function expectV3Shape(shape: Awaited<ReturnType<typeof describeRaw>>): void {
  expect(Object.keys(shape.stores).sort()).toEqual(v3StoreNames);
  expect(shape.stores['items']!.indexes).toEqual({
    byCode: { keyPath: 'code', unique: true, multiEntry: false },
    byTag: { keyPath: 'tags', unique: false, multiEntry: true },
  });
  expect(shape.stores['notes']!.keyPath).toBe('uuid');
  expect(shape.stores['notes']!.indexes).toEqual({
    byTitle: { keyPath: 'title', unique: false, multiEntry: false },
  });
}

describe('upgrade steps', () => {
  it('upgrades v1 → v2 → v3 (index added, removed, made unique; keyPath changed; store removed), keeping data', async () => {
    const name = uniqueName('steps');
    await seedV1(name);

    const atV2 = defineDatabase({ name, versions: [v1, v2] });
    await atV2.open();
    const report2 = atV2.lastUpgrade!;
    expect(report2).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      appliedVersions: [2],
      createdStores: [],
      deletedStores: [],
      rebuiltStores: ['notes'],
      migratedStores: [],
    });
    expect([...report2.changedStores].sort()).toEqual(['items', 'notes']);
    expect(report2.rebuiltIndexes).toEqual([
      { store: 'items', index: 'byCode' },
      { store: 'items', index: 'byTag' },
    ]);
    expect(report2.deletedIndexes).toEqual([{ store: 'items', index: 'byName' }]);
    expect(sortBy(await atV2.getAll('notes'), 'id')).toEqual(notes);
    expect(await readAllRaw(name, 'notes')).toEqual([notes[1], notes[0]]); // now keyed (ordered) by uuid
    await expect(
      atV2.put('items', { id: 9, name: 'x', code: 'B-1', tags: [] }, { localOnly: true }),
    ).rejects.toMatchObject({
      code: 'CONSTRAINT_VIOLATION',
    });
    await atV2.close();

    const atV3 = defineDatabase({ name, versions: [v1, v2, v3] });
    await atV3.open();
    expect(atV3.lastUpgrade).toMatchObject({
      fromVersion: 2,
      toVersion: 3,
      appliedVersions: [3],
      deletedStores: ['legacy'],
      changedStores: ['notes'],
      rebuiltIndexes: [{ store: 'notes', index: 'byTitle' }],
    });
    expect(sortBy(await atV3.getAll('items'), 'id')).toEqual(items);
    expect(sortBy(await atV3.getAll('notes'), 'id')).toEqual(notes);
    const reports = await atV3.upgradeReports();
    expect(reports.map((r) => [r.fromVersion, r.toVersion])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    await atV3.close();
    const shape = await describeRaw(name);
    expectV3Shape(shape);
    expect(shape.version).toBe(3002);
  });

  it('upgrades v1 → v3 directly, applying each step in order', async () => {
    const name = uniqueName('direct');
    await seedV1(name);
    const seen: number[] = [];
    const atV3 = defineDatabase({
      name,
      versions: [
        v1,
        {
          ...v2,
          migrations: {
            items: (item: { id: number }) => {
              seen.push(2);
              return { ...item, step2: true };
            },
          },
        },
        {
          ...v3,
          migrations: {
            items: (item: { step2?: boolean }) => {
              seen.push(3);
              // The v3 migration sees what the v2 step wrote.
              return { ...item, step3: item.step2 === true };
            },
          },
        },
      ],
    });
    await atV3.open();
    expect(atV3.lastUpgrade).toMatchObject({
      fromVersion: 1,
      toVersion: 3,
      appliedVersions: [2, 3],
      deletedStores: ['legacy'],
      rebuiltStores: ['notes'],
      migratedStores: ['items'],
    });
    expect(seen).toEqual([2, 2, 2, 3, 3, 3]);
    expect(await readAllRaw(name, 'items')).toEqual(
      items.map((item) => ({ ...item, step2: true, step3: true })),
    );
    await atV3.close();
    expectV3Shape(await describeRaw(name));
    expect(await readAllRaw(name, 'notes')).toEqual([notes[1], notes[0]]);
  });

  it('creates a new database at the latest version directly, without running migrations', async () => {
    const name = uniqueName('fresh');
    let ran = false;
    const db = defineDatabase({
      name,
      versions: [
        v1,
        {
          ...v2,
          migrations: {
            items: () => {
              ran = true;
            },
          },
        },
        v3,
      ],
    });
    await db.open();
    expect(ran).toBe(false);
    expect(db.lastUpgrade).toMatchObject({
      fromVersion: 0,
      toVersion: 3,
      appliedVersions: [3],
      deletedStores: [],
    });
    expect([...db.lastUpgrade!.createdStores].sort()).toEqual(v3StoreNames);
    await db.close();
    expectV3Shape(await describeRaw(name));
  });

  it('lists a store whose kind changed as changed, with its new fingerprint and kind', async () => {
    const name = uniqueName('kind');
    const before = defineDatabase({
      name,
      versions: [{ version: 1, stores: { codes: { keyPath: 'id', kind: 'local' } } }],
    });
    await before.put('codes', { id: 1 }, { localOnly: true });
    await before.close();
    const after = defineDatabase({
      name,
      versions: [
        { version: 1, stores: { codes: { keyPath: 'id', kind: 'local' } } },
        { version: 2, stores: { codes: { keyPath: 'id', kind: 'lookup' } } },
      ],
    });
    await after.open();
    expect(after.lastUpgrade).toMatchObject({
      changedStores: ['codes'],
      createdStores: [],
      kinds: { codes: 'lookup' },
    });
    expect(after.lastUpgrade!.fingerprints['codes']).toBe(after.stores['codes']!.fingerprint);
    expect(await after.count('codes')).toBe(1);
    await after.close();
  });
});
