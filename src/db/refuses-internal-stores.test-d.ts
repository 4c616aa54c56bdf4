import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { DatabaseHandle, WritableStoreName } from './define-database.js';

interface Schema extends DBSchema {
  work_orders: { key: string; value: { id: string; title: string } };
}
declare const appDb: DatabaseHandle<Schema>;

describe('internal stores at type level', () => {
  it('the write APIs take only the app stores; reads take the internal stores too', () => {
    expectTypeOf<WritableStoreName<Schema>>().toEqualTypeOf<'work_orders'>();
    appDb.put('work_orders', { id: 'a', title: 't' });
    // @ts-expect-error an internal store
    appDb.put('_outbox', { mutationId: 1 });
    // @ts-expect-error an internal store
    appDb.delete('_meta', 'marker');
    // @ts-expect-error an internal store
    appDb.bulkPut('_sync', []);
    // @ts-expect-error an internal store
    appDb.bulkDelete('_skipped', []);
    // @ts-expect-error an internal store
    appDb.write(['work_orders', '_checkpoints'], () => {});
    // @ts-expect-error an internal store
    appDb.write(['_conflicts'], () => {});
    appDb.read(['_meta'], (tx) => tx.objectStore('_meta').count());
    appDb.get('_outbox', 1);
  });
});
