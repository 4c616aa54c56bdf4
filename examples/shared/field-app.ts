// The data of the field app examples (React and Vue): the database (work orders synced per user,
// service types looked up from the server's catalog) and its sync client. Defined once, at module
// level, in a real app; made by a function here so the e2e scenarios build one per tab with their
// own server and names. Runs in the browser (unlike the rest of examples/shared, for servers).
import {
  createSyncClient,
  type DatabaseHandle,
  type DBSchema,
  defineDatabase,
  type LiveSyncClient,
  lookupTokens,
  type TransportsOptions,
} from 'idb-sync';

/** A service type from the reference server's catalog (`server/seed.ts`), with search tokens made here. */
export interface ServiceType {
  id: string;
  code: string;
  name: string;
  category: string;
  tokens: string[];
  _rev?: string;
}

/** A work order of the signed-in user. */
export interface WorkOrder {
  id: string;
  title: string;
  status: string;
  notes?: string;
  updatedAt?: string;
  _rev?: string;
}

export interface FieldSchema extends DBSchema {
  service_types: { key: string; value: ServiceType; indexes: { byToken: string } };
  work_orders: { key: string; value: WorkOrder; indexes: { byUpdatedAt: string } };
}

export type FieldDatabase = DatabaseHandle<FieldSchema>;
export type FieldClient = LiveSyncClient<FieldSchema>;

/** Where the app syncs and as whom. */
export interface FieldAppConfig {
  /** The sync server's base URL (on the page's origin: the reference server sends no CORS headers). */
  readonly serverUrl: string;
  readonly token: string;
  /** IndexedDB database name. Default `react-field-app`. */
  readonly dbName?: string;
  /** How to hear about server changes. Default: WebSocket, then SSE, then polling. */
  readonly transports?: TransportsOptions;
}

/** The database and its sync client (nothing is opened until a component reads). */
export function createFieldApp(config: FieldAppConfig): { db: FieldDatabase; client: FieldClient } {
  const db = defineDatabase<FieldSchema>({
    name: config.dbName ?? 'react-field-app',
    versions: [
      {
        version: 1,
        stores: {
          service_types: {
            keyPath: 'id',
            kind: 'lookup',
            indexes: { byToken: { keyPath: 'tokens', multiEntry: true } },
          },
          work_orders: {
            keyPath: 'id',
            kind: 'transactional',
            indexes: { byUpdatedAt: { keyPath: 'updatedAt' } },
          },
        },
      },
    ],
  });
  const client = createSyncClient({
    database: db,
    url: config.serverUrl,
    getToken: () => config.token,
    ...(config.transports === undefined ? {} : { transports: config.transports }),
    collections: {
      service_types: {
        // Search tokens of code and name, made on the device (the server's own are dropped).
        fromServer: (st) => ({ ...st, tokens: lookupTokens([st.code, st.name]) }),
      },
      work_orders: { conflicts: { kind: 'merge' } },
    },
  });
  return { db, client };
}
