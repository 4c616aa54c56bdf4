import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  describeRaw,
  openRaw,
  rawConnectionOf,
  readAllRaw,
  uniqueName,
  within,
} from '../../test/db/test-support.js';
import { LazyDatabase } from '../db/database-handle.js';
import { defineDatabase } from '../db/define-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import { declareSchema } from './declare-schema.js';
import { createMarker } from './meta-records.js';
import { createStore } from './rebuild-store.js';
import type { VersionSpec } from './schema-types.js';
import { systemStores } from './system-stores.js';

// A local store: these tests simulate older SDK releases without the sync system stores, which
// synced writes need.
const v1 = {
  version: 1,
  stores: { work_orders: { keyPath: 'id', kind: 'local', indexes: { byCode: { keyPath: 'code' } } } },
} as const satisfies VersionSpec;
const idbVersion = declareSchema('x', [v1]).idbVersion;
const systemNames = Object.keys(systemStores);

const declared = declareSchema('x', [v1]).latest.stores;

/**
 * Creates the database with raw IndexedDB at `version`: the app store (its index as given) and the
 * named system stores as the SDK declares them, with the marker a database created by the SDK has.
 */
async function createRaw(
  name: string,
  version: number,
  systemToCreate: readonly string[],
  byCode: { unique: boolean } | null = { unique: false },
) {
  const db = await openRaw(name, version, (raw, tx) => {
    const store = raw.createObjectStore('work_orders', { keyPath: 'id' });
    if (byCode) store.createIndex('byCode', 'code', byCode);
    store.put({ id: 'wo-1', code: 'A' });
    for (const system of systemToCreate) createStore(raw, declared[system]!);
    if (systemToCreate.includes('_meta')) tx.objectStore('_meta').put(createMarker());
  });
  db.close();
}

describe('structure checks on open', () => {
  it('adds system stores a newer SDK release declares, without touching the app version or re-running migrations', async () => {
    const name = uniqueName('new-sdk');
    // Created by an older SDK: same app version 1, system revision 0, only _meta.
    await createRaw(name, idbVersion - 1, ['_meta']);
    let migrated = false;
    const db = defineDatabase({
      name,
      versions: [
        {
          ...v1,
          migrations: {
            work_orders: () => {
              migrated = true;
            },
          },
        },
      ],
    });
    expect(await db.count('work_orders')).toBe(1);
    expect(migrated).toBe(false);
    expect(db.lastUpgrade).toMatchObject({
      fromVersion: 1,
      toVersion: 1,
      fromIdbVersion: idbVersion - 1,
      toIdbVersion: idbVersion,
    });
    expect([...db.lastUpgrade!.createdStores].sort()).toEqual(
      systemNames.filter((n) => n !== '_meta').sort(),
    );
    await db.close();
    expect(Object.keys((await describeRaw(name)).stores).sort()).toEqual(
      [...systemNames, 'work_orders'].sort(),
    );
  });

  it('keeps an older SDK tab working when a newer SDK adds system stores under it', async () => {
    const name = uniqueName('old-sdk-tab');
    // The older SDK: same app schema, system revision one lower, only _meta.
    const schema = declareSchema(name, [v1]);
    const olderSchema = {
      ...schema,
      systemVersion: schema.systemVersion - 1,
      idbVersion: schema.idbVersion - 1,
      latest: {
        ...schema.latest,
        stores: { work_orders: declared['work_orders']!, _meta: declared['_meta']! },
      },
    };
    const oldTab = new LazyDatabase(olderSchema, { name, versions: [v1] });
    await oldTab.put('work_orders', { id: 'wo-1', code: 'A' });
    expect((await rawConnectionOf(oldTab)).version).toBe(idbVersion - 1);

    const versionchange = firstValueFrom(
      from(oldTab.events$).pipe(filter((e) => e.type === 'versionchange')),
    );
    const newTab = defineDatabase({ name, versions: [v1] });
    await within(newTab.open(), 2_000, 'the newer SDK upgrade');
    expect(await versionchange).toMatchObject({ oldVersion: 1, newVersion: 1, reloadRequired: false });
    // The old tab reopens on the newer IndexedDB version (same app version) and keeps working.
    await within(
      oldTab.put('work_orders', { id: 'wo-2', code: 'B' }),
      2_000,
      'the old tab after the upgrade',
    );
    expect((await rawConnectionOf(oldTab)).version).toBe(idbVersion);
    expect(await newTab.count('work_orders')).toBe(2);
    await Promise.all([oldTab.close(), newTab.close()]);
  });

  it('heals a database at the same version that lacks declared stores, and later opens use it as is', async () => {
    const name = uniqueName('heal');
    // Same IndexedDB version as declared, but built without most system stores (a forgotten bump).
    await createRaw(name, idbVersion, ['_meta']);
    const db = defineDatabase({ name, versions: [v1] });
    expect(await db.count('work_orders')).toBe(1);
    expect(db.lastUpgrade).toMatchObject({
      fromIdbVersion: idbVersion,
      toIdbVersion: idbVersion + 1,
      fromVersion: 1,
      toVersion: 1,
    });
    expect(db.evicted).toBe(false);

    // A fresh handle (the next page load) asks for the declared IndexedDB version, finds it lower
    // than the disk's, and opens the current one without an upgrade.
    const fresh = defineDatabase({ name, versions: [v1] });
    expect(await within(fresh.count('work_orders'), 2_000, 'the open after healing')).toBe(1);
    expect(fresh.lastUpgrade).toBeUndefined();
    expect((await rawConnectionOf(fresh)).version).toBe(idbVersion + 1);
    await Promise.all([db.close(), fresh.close()]);
  });

  it('adds an index missing at the same version, and other handles reopen on the healed version', async () => {
    const name = uniqueName('heal-index');
    // The index was added to the declaration without bumping the version.
    await createRaw(name, idbVersion, systemNames, null);
    const other = defineDatabase({ name, versions: [v1] });
    const healed = defineDatabase({ name, versions: [v1] });
    await other.count('work_orders'); // heals (+1)
    expect(other.lastUpgrade).toMatchObject({ rebuiltIndexes: [{ store: 'work_orders', index: 'byCode' }] });
    const opened = firstValueFrom(from(healed.events$).pipe(filter((e) => e.type === 'opened')));
    expect(
      await healed.read(['work_orders'], (tx) => tx.objectStore('work_orders').index('byCode').count()),
    ).toBe(1);
    expect(await opened).toMatchObject({ version: 1, liveVersion: 1 });
    await Promise.all([other.close(), healed.close()]);
  });

  it('refuses a changed definition at the same version with SchemaMismatchError naming it', async () => {
    const name = uniqueName('mismatch');
    await createRaw(name, idbVersion, systemNames, { unique: true }); // unique on disk, not unique declared
    const db = defineDatabase({ name, versions: [v1] });
    const error = await db.open().catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'SCHEMA_MISMATCH')).toBe(true);
    expect(error).toMatchObject({ version: 1, mismatches: ['work_orders.byCode'] });
    expect(db.state).toBe('error');
  });

  it('adopts a database created before the SDK, keeping the declared stores and running the migrations', async () => {
    const name = uniqueName('legacy');
    const legacy = await openRaw(name, 3, (raw) => {
      const store = raw.createObjectStore('work_orders', { keyPath: 'id' });
      store.put({ id: 'wo-1', code: 'a' });
      raw.createObjectStore('scratch').put('x', 'y');
    });
    legacy.close();
    const db = defineDatabase({
      name,
      versions: [
        {
          ...v1,
          migrations: { work_orders: (o: { code: string }) => ({ ...o, code: o.code.toUpperCase() }) },
        },
      ],
    });
    await db.open();
    expect(db.lastUpgrade).toMatchObject({
      fromVersion: 0,
      fromIdbVersion: 3,
      deletedStores: ['scratch'],
      migratedStores: ['work_orders'],
      rebuiltIndexes: [{ store: 'work_orders', index: 'byCode' }],
    });
    expect(db.evicted).toBe(false);
    await db.close();
    expect(await readAllRaw(name, 'work_orders')).toEqual([{ id: 'wo-1', code: 'A' }]);
  });
});
