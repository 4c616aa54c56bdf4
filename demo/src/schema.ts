import type { DBSchema } from './sdk.js';
import {
  type DatabaseHandle,
  defineDatabase,
  lookupTokens,
  type SyncCollections,
  type VersionSpec,
} from './sdk.js';

/**
 * A service type as stored: the server's fields (see server/seed.ts) with `tokens` made by the
 * client (see {@link serviceTypeFromServer}), plus `priceBand` from v2 on.
 */
export interface ServiceType {
  id: string;
  code: string;
  name: string;
  category: string;
  subcategory: string;
  tags: string[];
  /** Search tokens of code and name (`lookupTokens`), the key of the multiEntry `byToken` index. */
  tokens: string[];
  price: number;
  unit: string;
  durationMinutes: number;
  active: boolean;
  /** Derived by the v2 migration (see {@link priceBandOf}). */
  priceBand?: PriceBand;
  _rev?: string;
}

export type PriceBand = 'budget' | 'standard' | 'premium';
export const PRICE_BANDS: readonly PriceBand[] = ['budget', 'standard', 'premium'];

export interface WorkOrder {
  id: string;
  title: string;
  status: string;
  priority: string;
  customerId?: string;
  serviceTypeId?: string;
  scheduledAt?: string;
  notes?: string;
  updatedAt: string;
  _rev?: string;
}

export interface Customer {
  id: string;
  name: string;
  _rev?: string;
}

/** The app schema of v2 (v1 is the same without `byPriceBand`). */
export interface DemoSchema extends DBSchema {
  service_types: {
    key: string;
    value: ServiceType;
    indexes: { byCategory: string; byToken: string; byCode: string; byPrice: number; byPriceBand: string };
  };
  work_orders: { key: string; value: WorkOrder; indexes: { byUpdatedAt: string } };
  customers: { key: string; value: Customer };
}

/** The handle the UI works with; both versions' handles fit it (v1 never queries `byPriceBand`). */
export type DemoDatabase = DatabaseHandle<DemoSchema>;

export const DATABASE_NAME = 'idb-sync-demo';

/** Price band of a price: the derived field v2 adds (its migration and its `fromServer` both use it). */
export function priceBandOf(price: number): PriceBand {
  return price < 100 ? 'budget' : price < 300 ? 'standard' : 'premium';
}

const v1: VersionSpec = {
  version: 1,
  stores: {
    service_types: {
      keyPath: 'id',
      kind: 'lookup',
      indexes: {
        byCategory: { keyPath: 'category' },
        byToken: { keyPath: 'tokens', multiEntry: true },
        byCode: { keyPath: 'code', unique: true },
        byPrice: { keyPath: 'price' },
      },
    },
    work_orders: { keyPath: 'id', kind: 'transactional', indexes: { byUpdatedAt: { keyPath: 'updatedAt' } } },
    customers: { keyPath: 'id', kind: 'transactional' },
  },
};

const v2: VersionSpec = {
  version: 2,
  stores: {
    ...v1.stores,
    service_types: {
      keyPath: 'id',
      kind: 'lookup',
      indexes: {
        byCategory: { keyPath: 'category' },
        byToken: { keyPath: 'tokens', multiEntry: true },
        byCode: { keyPath: 'code', unique: true },
        byPrice: { keyPath: 'price' },
        byPriceBand: { keyPath: 'priceBand' },
      },
    },
  },
  migrations: {
    // Runs over every stored service type inside the upgrade transaction, before the new index fills:
    // the derivation v2's `fromServer` applies to records pulled later (their tokens are v1's already).
    service_types: (record) => withPriceBand(record as ServiceType),
  },
};

/**
 * What a version derives from each service type the server sends (the sync client's `fromServer`):
 * search tokens of its code and name for `searchLookup` (the server's own `tokens` are whole words
 * only), and from v2 on its price band. Pure and synchronous: it runs inside each pulled page's
 * IndexedDB transaction.
 */
export function serviceTypeFromServer(version: 1 | 2): (record: ServiceType) => ServiceType {
  return (record) => {
    const st: ServiceType = { ...record, tokens: lookupTokens([record.code, record.name]) };
    return version === 2 ? withPriceBand(st) : st;
  };
}

/** What v2 adds to a service type, in its migration and in its `fromServer`. */
export function withPriceBand(st: ServiceType): ServiceType {
  return { ...st, priceBand: priceBandOf(st.price) };
}

/** The demo's synced collections, per app version. */
export function demoCollections(version: 1 | 2): SyncCollections<DemoSchema> {
  return {
    service_types: { windowSize: 1000, fromServer: serviceTypeFromServer(version) },
    work_orders: { conflicts: { kind: 'merge', tie: 'server' } },
    customers: {},
  };
}

/**
 * The database of one app version. `1` declares v1 only; `2` declares both (a v1 database is
 * upgraded by v2's migration).
 */
export function demoDatabase(version: 1 | 2): DemoDatabase {
  const versions = version === 1 ? [v1] : [v1, v2];
  return defineDatabase({ name: DATABASE_NAME, versions }) as unknown as DemoDatabase;
}

const SCHEMA_KEY = 'idb-sync-demo:schema';

/** The version to run: `?schema=N`, else the one remembered from the last `?schema=`, else 1. */
export function chooseSchemaVersion(location: Location, storage: Storage | undefined): 1 | 2 {
  const asked = new URLSearchParams(location.search).get('schema');
  if (asked === '1' || asked === '2') {
    storage?.setItem(SCHEMA_KEY, asked);
    return asked === '2' ? 2 : 1;
  }
  return storage?.getItem(SCHEMA_KEY) === '2' ? 2 : 1;
}
