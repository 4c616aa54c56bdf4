import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { DatabaseHandle } from '../db/define-database.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import type { StoreConflictLogEntry } from './internal-stores.js';
import { createSyncClient, type SyncClient } from './sync-client.js';

interface WorkOrder {
  id: string;
  title: string;
}
interface Part {
  id: number;
  name: string;
}
interface Schema extends DBSchema {
  work_orders: { key: string; value: WorkOrder };
  parts: { key: number; value: Part };
}

declare const db: DatabaseHandle<Schema>;
declare const transport: SyncTransport;

describe('the sync client keeps the schema type', () => {
  const client = createSyncClient({ database: db, transport });

  it('is typed with the database schema', () => {
    expectTypeOf(client).toEqualTypeOf<SyncClient<Schema>>();
    // @ts-expect-error writes go through the database handle
    client.write('work_orders', { id: 'w1', title: 'x' });
  });

  it('checks collection names of sync requests', () => {
    client.sync({ red: ['work_orders'], full: ['parts'], collections: ['parts'] });
    // @ts-expect-error a misspelt collection
    client.sync({ red: ['work_ordres'] });
    // @ts-expect-error a misspelt collection
    client.sync({ collections: ['prats'] });
  });

  it('types conflict log entries per store: keys and values', async () => {
    const parts = await client.conflictLog('parts');
    expectTypeOf(parts).toEqualTypeOf<StoreConflictLogEntry<'parts', number, Part>[]>();
    // @ts-expect-error not a collection
    client.conflictLog('nope');
    client.conflicts$.subscribe((entry) => {
      if (entry.store === 'work_orders') {
        expectTypeOf(entry.id).toEqualTypeOf<string>();
        expectTypeOf(entry.local).toEqualTypeOf<WorkOrder | null>();
      } else {
        expectTypeOf(entry.id).toEqualTypeOf<number>();
      }
    });
  });

  it('types custom resolvers with the store key', () => {
    createSyncClient({
      database: db,
      transport,
      collections: {
        parts: {
          conflicts: {
            kind: 'custom',
            resolve: (conflict) => {
              expectTypeOf(conflict.id).toEqualTypeOf<number>();
              expectTypeOf(conflict.remote).toEqualTypeOf<Part | null>();
              return conflict.remote;
            },
          },
        },
      },
    });
  });
});
