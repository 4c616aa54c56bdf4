// The transaction a `read`/`write`/`live` callback gets is idb's promise style (typed by idb's
// `IDBPTransaction`, implemented by the SDK): requests are promises, cursors advance with `await
// cursor.continue()` and iterate with `for await`, `tx.done` and `tx.store` work; and in a write,
// every write is seen by the outbox, however the app reached the store.
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName } from '../../test/db/test-support.js';
import { isIdbSyncError } from '../errors/idb-sync-error.js';
import type { StoreChange } from './database-changes.js';
import { type DatabaseHandle, defineDatabase } from './define-database.js';

interface Note {
  id: string;
  n: number;
}

const versions = [
  {
    version: 1,
    stores: {
      notes: { keyPath: 'id', kind: 'local', indexes: { byN: { keyPath: 'n' } } },
      orders: { keyPath: 'id', kind: 'transactional', indexes: { byN: { keyPath: 'n' } } },
    },
  },
] as const;

let db: DatabaseHandle | undefined;
afterEach(async () => {
  await db?.deleteDatabase();
  db = undefined;
});

async function seeded(prefix: string) {
  const handle = defineDatabase({ name: uniqueName(prefix), versions });
  db = handle;
  const notes: Note[] = [1, 2, 3, 4, 5].map((n) => ({ id: `n${n}`, n }));
  await handle.bulkPut('notes', notes);
  return handle;
}

async function outboxIds(handle: DatabaseHandle): Promise<string[]> {
  const entries = (await handle.getAll('_outbox')) as { id: string }[];
  return entries.map((e) => e.id).sort();
}

describe('read callbacks', () => {
  it('get requests as promises, the same store object twice, tx.store for one store only', async () => {
    const handle = await seeded('promise-reads');
    const result = await handle.read(['notes'], async (tx) => {
      const store = tx.objectStore('notes');
      const same = store === tx.objectStore('notes');
      const single = tx.store === store;
      const [one, all, count, byIndex] = await Promise.all([
        store.get('n2'),
        store.getAll(IDBKeyRange.bound('n2', 'n3')),
        store.count(),
        store.index('byN').get(4),
      ]);
      return { one, all, count, byIndex, same, single };
    });
    expect(result).toEqual({
      one: { id: 'n2', n: 2 },
      all: [
        { id: 'n2', n: 2 },
        { id: 'n3', n: 3 },
      ],
      count: 5,
      byIndex: { id: 'n4', n: 4 },
      same: true,
      single: true,
    });
    expect(await handle.read(['notes', 'orders'], (tx) => (tx as { store?: unknown }).store)).toBeUndefined();
  });

  // Several awaits in one transaction: indexeddbshim, unlike browsers, lets the transaction go
  // inactive in between (real browsers run this pattern in e2e/scenarios/support/picker.ts).
  it.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')(
    'walks cursors with await continue()/advance(), and iterates with for await',
    async () => {
      const handle = await seeded('promise-cursors');
      const walked = await handle.read(['notes'], async (tx) => {
        const seen: number[] = [];
        let cursor = await tx.objectStore('notes').index('byN').openCursor(IDBKeyRange.lowerBound(2));
        while (cursor) {
          seen.push(cursor.value.n);
          cursor = seen.length === 1 ? await cursor.advance(2) : await cursor.continue();
        }
        return seen;
      });
      expect(walked).toEqual([2, 4, 5]);

      const iterated = await handle.read(['notes'], async (tx) => {
        const all: string[] = [];
        for await (const cursor of tx.objectStore('notes')) all.push(cursor.key as string);
        const skipping: number[] = [];
        for await (const cursor of tx.objectStore('notes').index('byN').iterate(null, 'prev')) {
          skipping.push(cursor.value.n);
          if (cursor.value.n === 5) cursor.continue(2); // jumps, instead of the next position
        }
        return { all, skipping };
      });
      expect(iterated).toEqual({ all: ['n1', 'n2', 'n3', 'n4', 'n5'], skipping: [5, 2, 1] });
    },
  );

  it('tx.done resolves once the transaction completed; a failed request rejects with its DOMException', async () => {
    const handle = await seeded('promise-done');
    const order: string[] = [];
    await handle.write(['notes'], async (tx) => {
      void tx.objectStore('notes').put({ id: 'n6', n: 6 });
      await tx.done;
      order.push('done');
    });
    expect(order).toEqual(['done']);
    const error = await handle
      .write(['notes'], (tx) => tx.objectStore('notes').add({ id: 'n1', n: 1 }))
      .catch((e: unknown) => e);
    expect(isIdbSyncError(error, 'CONSTRAINT_VIOLATION')).toBe(true);
    expect(await handle.count('notes')).toBe(6);
  });
});

describe('write callbacks', () => {
  it.runIf(globalThis.__IDB_BACKEND__ === 'fake-indexeddb')(
    'announces cursor writes and range deletes of a local store (several awaits: not on indexeddbshim)',
    async () => {
      const handle = await seeded('promise-local-writes');
      const seen: StoreChange[] = [];
      const subscription = handle.changes$.subscribe((c) => seen.push(c));
      await handle.write(['notes'], async (tx) => {
        for await (const cursor of tx.objectStore('notes').index('byN').iterate(IDBKeyRange.upperBound(2))) {
          if (cursor.value.n === 1) await cursor.delete();
          else await cursor.update({ ...cursor.value, n: 20 });
        }
        await tx.objectStore('notes').delete(IDBKeyRange.bound('n4', 'n5'));
      });
      subscription.unsubscribe();
      expect(seen.map(({ type, key }) => `${type} ${String(key)}`)).toEqual([
        'delete n1',
        'put n2',
        'delete n4',
        'delete n5',
      ]);
      expect(await handle.getAll('notes')).toEqual([
        { id: 'n2', n: 20 },
        { id: 'n3', n: 3 },
      ]);
    },
  );

  it('syncs a write to a synced store reached through an index or a store transaction', async () => {
    const handle = await seeded('promise-synced-writes');
    await handle.write(['orders', 'notes'], (tx) => {
      const orders = tx.objectStore('notes').transaction.objectStore('orders');
      void orders.put({ id: 'o1', n: 1 });
      return orders.index('byN').objectStore.put({ id: 'o2', n: 2 });
    });
    expect(await outboxIds(handle)).toEqual(['o1', 'o2']);
  });

  it("refuses cursor writes on a synced store's index cursor, writing nothing", async () => {
    const handle = await seeded('promise-synced-cursor');
    await handle.put('orders', { id: 'o1', n: 1 });
    for (const operation of ['update', 'delete'] as const) {
      const refused = await handle.write(['orders'], (tx) =>
        tx
          .objectStore('orders')
          .index('byN')
          .openCursor()
          .then((cursor) => {
            const writable = cursor as unknown as { update(value: unknown): unknown; delete(): unknown };
            try {
              if (operation === 'update') writable.update({ id: 'o1', n: 9 });
              else writable.delete();
            } catch (error) {
              return error;
            }
            return undefined;
          }),
      );
      expect(refused).toMatchObject({
        code: 'WRITE_REFUSED',
        operation: `cursor.${operation}()`,
        reason: 'untrackable',
      });
    }
    expect(await handle.get('orders', 'o1')).toEqual({ id: 'o1', n: 1 });
    expect(await outboxIds(handle)).toEqual(['o1']);
  });
});
