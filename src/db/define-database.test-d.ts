import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { MarkerRecord, SchemaRecord, UpgradeReportRecord } from '../upversion/meta-records.js';
import type { DatabaseHandle } from './define-database.js';
import { defineDatabase } from './define-database.js';

interface ServiceType {
  id: number;
  code: string;
  tokens: string[];
}
interface WorkOrder {
  id: string;
  title: string;
}

interface AppSchema extends DBSchema {
  service_types: { key: number; value: ServiceType; indexes: { byCode: string; byToken: string } };
  work_orders: { key: string; value: WorkOrder };
}

const latest = {
  version: 2,
  stores: {
    service_types: {
      keyPath: 'id',
      keyType: 'number',
      kind: 'lookup',
      indexes: {
        byCode: { keyPath: 'code', unique: true },
        byToken: { keyPath: 'tokens', multiEntry: true },
      },
    },
    work_orders: { keyPath: 'id', kind: 'transactional' },
  },
} as const;

const appDb = defineDatabase<AppSchema>({
  name: 'field-app',
  versions: [{ version: 1, stores: { work_orders: { keyPath: 'id', kind: 'transactional' } } }, latest],
});

describe('defineDatabase types', () => {
  it('types values and keys of the conveniences from the schema', () => {
    expectTypeOf(appDb).toEqualTypeOf<DatabaseHandle<AppSchema>>();
    expectTypeOf(appDb.get('work_orders', 'wo-1')).resolves.toEqualTypeOf<WorkOrder | undefined>();
    expectTypeOf(appDb.getAll('service_types')).resolves.toEqualTypeOf<ServiceType[]>();
    expectTypeOf(
      appDb.put('service_types', { id: 1, code: 'A', tokens: [] }),
    ).resolves.toEqualTypeOf<number>();
    // @ts-expect-error not a store of the schema
    appDb.get('unknown', 1);
    // @ts-expect-error the key of work_orders is a string
    appDb.get('work_orders', 1);
    // @ts-expect-error not a WorkOrder
    appDb.put('work_orders', { id: 'x' });
  });

  it('types transactions: only their stores, the schema indexes, the mode', () => {
    const code = appDb.read(['service_types'], (tx) =>
      tx.objectStore('service_types').index('byCode').get('PUMP'),
    );
    expectTypeOf(code).resolves.toEqualTypeOf<ServiceType | undefined>();
    appDb.read(['service_types'], (tx) => {
      // @ts-expect-error not in this transaction
      tx.objectStore('work_orders');
      // @ts-expect-error not an index of service_types
      tx.objectStore('service_types').index('byName');
      // @ts-expect-error readonly transaction
      tx.objectStore('service_types').put({ id: 1, code: 'A', tokens: [] });
      // @ts-expect-error no idb `db` shortcuts: they would run transactions of their own
      tx.db;
      expectTypeOf(tx.done).toEqualTypeOf<Promise<void>>();
    });
    appDb.read(['work_orders', '_meta'], (tx) => {
      expectTypeOf(tx.objectStore('_meta').get('marker')).resolves.toEqualTypeOf<
        MarkerRecord | SchemaRecord | UpgradeReportRecord | undefined
      >();
    });
  });

  it('opens on demand without handing out a raw connection (which could write past the outbox)', () => {
    expectTypeOf(appDb.open()).resolves.toEqualTypeOf<void>();
    // @ts-expect-error no raw connection
    appDb.db();
  });

  it('checks the latest version against the schema', () => {
    defineDatabase<AppSchema>({
      name: 'x',
      // @ts-expect-error work_orders is missing from the latest version
      versions: [{ version: 1, stores: { service_types: latest.stores.service_types } }],
    });
    defineDatabase<AppSchema>({
      name: 'x',
      versions: [
        {
          version: 1,
          stores: {
            work_orders: latest.stores.work_orders,
            service_types: {
              keyPath: 'id',
              keyType: 'number',
              kind: 'lookup',
              // @ts-expect-error service_types lacks byToken and declares byName, which the schema does not have
              indexes: { byCode: { keyPath: 'code' }, byName: { keyPath: 'n' } },
            },
          },
        },
      ],
    });
    defineDatabase<AppSchema>({
      name: 'x',
      // @ts-expect-error a migration of the latest version must produce a WorkOrder
      versions: [
        {
          ...latest,
          migrations: { work_orders: (old: { id: string }) => ({ id: old.id }) },
        },
      ],
    });
    defineDatabase<AppSchema>({
      name: 'x',
      versions: [
        { ...latest, migrations: { work_orders: (old: { id: string }) => ({ id: old.id, title: '' }) } },
      ],
    });
  });

  it('accepts any stores without a schema type', () => {
    const loose = defineDatabase({ name: 'x', versions: [{ version: 1, stores: { a: { kind: 'local' } } }] });
    expectTypeOf(loose).toEqualTypeOf<DatabaseHandle<unknown>>();
    loose.put('anything', { x: 1 });
    // @ts-expect-error kind must be one of the store kinds
    defineDatabase({ name: 'x', versions: [{ version: 1, stores: { a: { kind: 'remote' } } }] });
  });
});
