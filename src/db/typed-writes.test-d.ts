import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { StoreChange } from './database-changes.js';
import { defineDatabase } from './define-database.js';

interface WorkOrder {
  id: string;
  title: string;
}
interface ServiceType {
  id: number;
  code: string;
}
interface Draft {
  text: string;
}

// A schema that says each store's kind: the compiler then knows which writes are synced, refused
// or plain.
interface Schema extends DBSchema {
  work_orders: { key: string; value: WorkOrder; kind: 'transactional' };
  service_types: { key: number; value: ServiceType; indexes: { byCode: string }; kind: 'lookup' };
  drafts: { key: number; value: Draft; kind: 'local' };
}

const appDb = defineDatabase<Schema>({
  name: 'typed',
  versions: [
    {
      version: 1,
      stores: {
        work_orders: { keyPath: 'id', kind: 'transactional' },
        service_types: {
          keyPath: 'id',
          keyType: 'number',
          kind: 'lookup',
          indexes: { byCode: { keyPath: 'code' } },
        },
        drafts: { kind: 'local', autoIncrement: true },
      },
    },
  ],
});

describe('typed writes', () => {
  it('checks store names, values and keys of single and bulk writes', () => {
    expectTypeOf(appDb.put('work_orders', { id: 'w1', title: 'x' })).resolves.toEqualTypeOf<string>();
    expectTypeOf(appDb.bulkPut('work_orders', [{ id: 'w1', title: 'x' }])).resolves.toEqualTypeOf<string[]>();
    appDb.delete('work_orders', 'w1');
    appDb.bulkDelete('work_orders', ['w1', 'w2']);
    // @ts-expect-error a misspelt store
    appDb.put('work_ordres', { id: 'w1', title: 'x' });
    // @ts-expect-error not a WorkOrder
    appDb.put('work_orders', { id: 'w1', nope: 1 });
    // @ts-expect-error the key of work_orders is a string
    appDb.delete('work_orders', 1);
    // @ts-expect-error the keys of work_orders are strings
    appDb.bulkDelete('work_orders', [1]);
    // @ts-expect-error not WorkOrders
    appDb.bulkPut('work_orders', [{ id: 1 }]);
    // @ts-expect-error the key of service_types is a number
    appDb.get('service_types', '1');
  });

  it('needs { localOnly: true } to write a lookup store, and refuses it on a transactional store', () => {
    // @ts-expect-error a lookup store is written by sync; say localOnly for a local change
    appDb.put('service_types', { id: 1, code: 'A' });
    // @ts-expect-error localOnly must be true
    appDb.put('service_types', { id: 1, code: 'A' }, { localOnly: false });
    appDb.put('service_types', { id: 1, code: 'A' }, { localOnly: true });
    appDb.bulkDelete('service_types', [1], { localOnly: true });
    // @ts-expect-error a transactional store's writes are always synced
    appDb.put('work_orders', { id: 'w1', title: 'x' }, { localOnly: true });
    // @ts-expect-error a synced store keeps its key in the record
    appDb.put('work_orders', { id: 'w1', title: 'x' }, { key: 'w1' });
    appDb.put('drafts', { text: 'x' }, { key: 3 });
  });

  it('types write transactions: synced stores have no clear() and no cursor writes', async () => {
    const result = await appDb.write(['work_orders', 'drafts'], async (tx) => {
      const orders = tx.objectStore('work_orders');
      expectTypeOf(orders.put({ id: 'w1', title: 'x' })).resolves.toEqualTypeOf<string>();
      // @ts-expect-error not a WorkOrder
      orders.put({ id: 'w1' });
      // @ts-expect-error no out-of-line key on a synced store
      orders.put({ id: 'w1', title: 'x' }, 'w1');
      // @ts-expect-error clear() cannot be synced
      orders.clear();
      const cursor = await orders.openCursor();
      // @ts-expect-error cursor writes cannot be synced
      cursor?.update({ id: 'w1', title: 'y' });
      // @ts-expect-error cursor writes cannot be synced
      cursor?.delete();
      // A local store is plain IndexedDB.
      await tx.objectStore('drafts').clear();
      // @ts-expect-error not in this transaction
      tx.objectStore('service_types');
      return 42;
    });
    expectTypeOf(result).toEqualTypeOf<number>();
  });

  it('lets a write transaction write a lookup store only with localOnly', () => {
    appDb.write(['service_types'], (tx) => {
      // @ts-expect-error a lookup store needs { localOnly: true }
      tx.objectStore('service_types').put({ id: 1, code: 'A' });
      // @ts-expect-error no idb `db` shortcuts: they would write past the outbox
      tx.db;
    });
    appDb.write(
      ['service_types'],
      (tx) => {
        tx.objectStore('service_types').put({ id: 1, code: 'A' });
      },
      { localOnly: true },
    );
  });

  it('types changes$ per store', () => {
    appDb.changes$.subscribe((change) => {
      if (change.store === 'service_types') expectTypeOf(change.key).toEqualTypeOf<number>();
      if (change.store === 'work_orders') expectTypeOf(change.key).toEqualTypeOf<string>();
      expectTypeOf(change.origin).toEqualTypeOf<'local' | 'tab' | 'remote'>();
    });
    const loose = defineDatabase({ name: 'x', versions: [{ version: 1, stores: { a: { kind: 'local' } } }] });
    expectTypeOf(loose.changes$).toEqualTypeOf<import('../rx/observable.js').Observable<StoreChange>>();
  });
});

interface KeySchema extends DBSchema {
  parts: { key: number; value: { id: number } };
  notes: { key: Date; value: { at: Date } };
}

describe('key types in the declaration', () => {
  it('makes keyType mandatory for number keys on synced stores', () => {
    defineDatabase<KeySchema>({
      name: 'x',
      versions: [
        {
          version: 1,
          stores: { parts: { keyPath: 'id', keyType: 'number', kind: 'lookup' }, notes: { kind: 'local' } },
        },
      ],
    });
    defineDatabase<KeySchema>({
      name: 'x',
      // @ts-expect-error parts has number keys: keyType 'number' is required
      versions: [
        {
          version: 1,
          stores: { parts: { keyPath: 'id', kind: 'lookup' }, notes: { kind: 'local' } },
        },
      ],
    });
  });

  it('refuses other key types on synced stores', () => {
    defineDatabase<KeySchema>({
      name: 'x',
      // @ts-expect-error a Date key cannot be synced (notes): map it to a string or a number
      versions: [
        {
          version: 1,
          stores: {
            parts: { keyPath: 'id', keyType: 'number', kind: 'lookup' },
            notes: { keyPath: 'at', kind: 'transactional' },
          },
        },
      ],
    });
  });

  it('holds the declaration to the kind the schema says', () => {
    defineDatabase<Schema>({
      name: 'x',
      // @ts-expect-error the schema says work_orders is transactional
      versions: [
        {
          version: 1,
          stores: {
            work_orders: { keyPath: 'id', kind: 'lookup' },
            service_types: {
              keyPath: 'id',
              keyType: 'number',
              kind: 'lookup',
              indexes: { byCode: { keyPath: 'code' } },
            },
            drafts: { kind: 'local', autoIncrement: true },
          },
        },
      ],
    });
  });
});
