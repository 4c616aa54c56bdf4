import type { DBSchema } from 'idb';
import { describe, expectTypeOf, it } from 'vitest';
import type { DatabaseHandle } from '../db/define-database.js';
import type { SyncTransport } from '../transport/sync-transport.js';
import { createSyncClient } from './sync-client.js';

interface ServiceType {
  id: string;
  name: string;
  tokens: string[];
}
interface WorkOrder {
  id: string;
  title: string;
  updatedAt: string;
}
interface Schema extends DBSchema {
  service_types: { key: string; value: ServiceType; indexes: { byToken: string } };
  work_orders: { key: string; value: WorkOrder };
}

declare const db: DatabaseHandle<Schema>;
declare const untypedDb: DatabaseHandle;
declare const transport: SyncTransport;

describe('collection options types', () => {
  it('types each collection from the schema: keys, transforms and conflict fields', () => {
    createSyncClient({
      database: db,
      transport,
      collections: {
        service_types: {
          fromServer: (record) => {
            expectTypeOf(record).toEqualTypeOf<ServiceType>();
            return { ...record, tokens: [record.name] };
          },
          toServer: ({ tokens: _tokens, ...rest }) => rest,
        },
        work_orders: { conflicts: { kind: 'last-write-wins', field: 'updatedAt' } },
      },
    });
    createSyncClient({
      database: db,
      transport,
      // @ts-expect-error not a store of the schema
      collections: { parts: {} },
    });
    createSyncClient({
      database: db,
      transport,
      // @ts-expect-error fromServer returns a service type
      collections: { service_types: { fromServer: () => ({ id: 'x' }) } },
    });
    createSyncClient({
      database: db,
      transport,
      // @ts-expect-error not a field of WorkOrder
      collections: { work_orders: { conflicts: { kind: 'last-write-wins', field: 'modifiedAt' } } },
    });
  });

  it('leaves the options untyped for a database without a schema type', () => {
    createSyncClient({
      database: untypedDb,
      transport,
      collections: { anything: { fromServer: (record) => record } },
    });
  });
});
