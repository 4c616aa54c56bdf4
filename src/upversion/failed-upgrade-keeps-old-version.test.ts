import { filter, firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { describeRaw, readAllRaw, uniqueName, within } from '../../test/db/test-support.js';
import { defineDatabase } from '../db/define-database.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';

import type { UpgradeFailedError } from '../errors/upgrade-failed-error.js';
import type { VersionSpec } from './schema-types.js';

const v1 = {
  version: 1,
  stores: {
    work_orders: {
      keyPath: 'id',
      keyType: 'number',
      kind: 'transactional',
      indexes: { byCode: { keyPath: 'code' } },
    },
  },
} as const satisfies VersionSpec;

const records = [1, 2, 3, 4, 5].map((n) => ({ id: n, code: `C-${n % 4}`, title: `order ${n}` }));

async function seed(): Promise<string> {
  const name = uniqueName('failed');
  const db = defineDatabase({ name, versions: [v1] });
  await db.write(['work_orders'], (tx) => {
    for (const record of records) tx.objectStore('work_orders').put(record);
  });
  await db.close();
  return name;
}

async function expectUntouched(name: string): Promise<void> {
  const shape = await describeRaw(name);
  expect(shape.version).toBe(1002);
  expect(Object.keys(shape.stores['work_orders']!.indexes)).toEqual(['byCode']);
  expect(await readAllRaw(name, 'work_orders')).toEqual(records);
}

async function failedUpgrade(
  name: string,
  versions: readonly VersionSpec[],
  options = {},
): Promise<UpgradeFailedError> {
  const db = defineDatabase({ name, versions, ...options });
  const errorEvent = firstValueFrom(from(db.events$).pipe(filter((e) => e.type === 'error')));
  const error = await within(db.open(), 5_000, 'the failing upgrade').catch((e: unknown) => e);
  expect(isIdbSyncError(error, 'UPGRADE_FAILED')).toBe(true);
  expect(db.state).toBe('error');
  expect(await errorEvent).toEqual({ type: 'error', error });
  await db.close();
  return error as UpgradeFailedError;
}

describe('a failed upgrade', () => {
  it('leaves version and data untouched when a migration throws halfway, naming the version and migration', async () => {
    const name = await seed();
    const boom = new Error('cannot migrate order 3');
    let calls = 0;
    const error = await failedUpgrade(name, [
      v1,
      {
        version: 2,
        stores: v1.stores,
        migrations: {
          work_orders: {
            batchSize: 2, // the first page (orders 1, 2) is written before order 3 throws
            migrate: (order: { id: number }) => {
              calls += 1;
              if (order.id === 3) throw boom;
              return { ...order, migrated: true };
            },
          },
        },
      },
    ]);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ fromVersion: 1, toVersion: 2, failedVersion: 2, migration: 'work_orders' });
    expect(error.cause).toBe(boom);
    expect(error.message).toContain('in the migration of store "work_orders"');
    await expectUntouched(name);

    // The fixed release upgrades fine afterwards.
    const fixed = defineDatabase({
      name,
      versions: [
        v1,
        {
          version: 2,
          stores: v1.stores,
          migrations: { work_orders: (o: object) => ({ ...o, migrated: true }) },
        },
      ],
    });
    expect(await fixed.count('work_orders')).toBe(5);
    expect(fixed.lastUpgrade).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      migratedStores: ['work_orders'],
    });
    expect((await readAllRaw(name, 'work_orders')).every((o) => (o as { migrated?: boolean }).migrated)).toBe(
      true,
    );
    expect((await fixed.upgradeReports()).map((r) => r.toVersion)).toEqual([1, 2]);
    await fixed.close();
  });

  it('rolls back every step of a multi-version upgrade when a later step fails', async () => {
    const name = await seed();
    const v2 = {
      version: 2,
      stores: { ...v1.stores, notes: { kind: 'local' } },
    } as const satisfies VersionSpec;
    const error = await failedUpgrade(name, [
      v1,
      { ...v2, migrations: { work_orders: (o: object) => ({ ...o, step2: true }) } },
      {
        version: 3,
        stores: v2.stores,
        migrations: {
          work_orders: () => {
            throw new Error('step 3 fails');
          },
        },
      },
    ]);
    expect(error).toMatchObject({ fromVersion: 1, toVersion: 3, failedVersion: 3, migration: 'work_orders' });
    await expectUntouched(name);
    expect(Object.keys((await describeRaw(name)).stores)).not.toContain('notes');
  });

  it('fails with a ConstraintViolationError cause when an index made unique meets duplicates', async () => {
    const name = await seed();
    const error = await failedUpgrade(name, [
      v1,
      {
        version: 2,
        stores: {
          work_orders: {
            keyPath: 'id',
            kind: 'transactional',
            indexes: { byCode: { keyPath: 'code', unique: true } },
          },
        },
      },
    ]);
    expect(error.failedVersion).toBe(2);
    expect(error.migration).toBeUndefined();
    expect(isIdbSyncError(error.cause, 'CONSTRAINT_VIOLATION')).toBe(true);
    await expectUntouched(name);
  });

  it('fails with an InvalidDataError cause when a rebuilt store gets records without the new key', async () => {
    const name = await seed();
    const error = await failedUpgrade(name, [
      v1,
      { version: 2, stores: { work_orders: { keyPath: 'uuid', kind: 'transactional' } } },
    ]);
    expect(isIdbSyncError(error.cause, 'INVALID_DATA')).toBe(true);
    await expectUntouched(name);
  });

  it('refuses a migration that changes a primary key in place', async () => {
    const name = await seed();
    const error = await failedUpgrade(name, [
      v1,
      {
        version: 2,
        stores: v1.stores,
        migrations: { work_orders: (o: { id: number }) => ({ ...o, id: o.id + 100 }) },
      },
    ]);
    expect((error.cause as Error).message).toContain('changed (or removed) a primary key');
    await expectUntouched(name);
  });

  it('fails within migrationSettleTimeoutMs when an async migration never settles', async () => {
    const name = await seed();
    const error = await failedUpgrade(
      name,
      [v1, { version: 2, stores: v1.stores, migrations: { work_orders: () => new Promise(() => {}) } }],
      { migrationSettleTimeoutMs: 50 },
    );
    expect(error.migration).toBe('work_orders');
    expect((error.cause as Error).message).toContain('did not settle in time');
    await expectUntouched(name);
  });
});

describe('migrations', () => {
  it('keep the upgrade transaction alive while an async migration waits on a timer, on every backend', async () => {
    const name = await seed();
    const db = defineDatabase({
      name,
      versions: [
        v1,
        {
          version: 2,
          stores: v1.stores,
          migrations: {
            work_orders: {
              batchSize: 2,
              migrate: async (order: { id: number }) => {
                // A macrotask: without the keep-alive, Safari and indexeddbshim would commit meanwhile.
                await new Promise((resolve) => setTimeout(resolve, 1));
                return { ...order, checked: order.id * 10 };
              },
            },
          },
        },
      ],
    });
    await within(db.open(), 5_000, 'the async migration');
    expect(await readAllRaw(name, 'work_orders')).toEqual(records.map((r) => ({ ...r, checked: r.id * 10 })));
    await db.close();
  });

  it('write back in-place edits, delete with context.remove, and see key and version in the context', async () => {
    const name = await seed();
    const seen: [unknown, number, string][] = [];
    const db = defineDatabase({
      name,
      versions: [
        v1,
        {
          version: 2,
          stores: v1.stores,
          migrations: {
            work_orders: (order: { id: number; title: string }, context) => {
              seen.push([context.key, context.version, context.store]);
              if (order.id % 2 === 0) return context.remove;
              order.title = order.title.toUpperCase();
              return undefined;
            },
          },
        },
      ],
    });
    expect(await db.count('work_orders')).toBe(3);
    expect(seen).toEqual(records.map((r) => [r.id, 2, 'work_orders']));
    expect(await readAllRaw(name, 'work_orders')).toEqual(
      records.filter((r) => r.id % 2 === 1).map((r) => ({ ...r, title: r.title.toUpperCase() })),
    );
    await db.close();
  });

  it('produce the new key when a store is rebuilt with a new keyPath', async () => {
    const name = await seed();
    const db = defineDatabase({
      name,
      versions: [
        v1,
        {
          version: 2,
          stores: {
            work_orders: { keyPath: 'uuid', kind: 'transactional', indexes: { byCode: { keyPath: 'code' } } },
          },
          migrations: {
            work_orders: (o: { id: number }) => ({ ...o, uuid: `u-${String(10 - o.id).padStart(2, '0')}` }),
          },
        },
      ],
    });
    await db.open();
    expect(db.lastUpgrade).toMatchObject({ rebuiltStores: ['work_orders'], migratedStores: ['work_orders'] });
    const rows = (await readAllRaw(name, 'work_orders')) as { id: number; uuid: string }[];
    expect(rows.map((r) => r.uuid)).toEqual(['u-05', 'u-06', 'u-07', 'u-08', 'u-09']);
    expect((await describeRaw(name)).stores['work_orders']).toMatchObject({ keyPath: 'uuid' });
    await db.close();
  });
});
