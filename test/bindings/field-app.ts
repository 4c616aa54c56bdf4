// The app the binding tests render: a typed database (work orders synced, service types looked up),
// the one-call sync client on the reference server, and a way to count live subscriptions.
import { BehaviorSubject, Observable } from 'rxjs';
import { WebSocket } from 'ws';
import type { DatabaseHandle } from '../../src/db/define-database.js';
import { createSyncClient, type DBSchema, defineDatabase, lookupTokens } from '../../src/index.js';
import type { SyncEnvironment } from '../../src/listeners/environment.js';
import type { LiveSyncClient } from '../../src/sync/sync-client-api.js';
import { type SyncFixture, startSyncFixture } from '../sync/sync-fixture.js';
import { deleteTestDatabase, uniqueDbName } from '../sync/test-database.js';

export interface WorkOrder {
  id: string;
  title: string;
  status: string;
  _rev?: string;
}

export interface ServiceType {
  id: string;
  name: string;
  n: number;
  tokens?: string[];
  _rev?: string;
}

export interface FieldSchema extends DBSchema {
  work_orders: { key: string; value: WorkOrder; indexes: { byStatus: string } };
  service_types: { key: string; value: ServiceType; indexes: { byToken: string } };
}

export type FieldDatabase = DatabaseHandle<FieldSchema>;

/** The field app's database `name` (a fresh one by default), at `version` (2 adds an index). */
export function fieldDatabase(name = uniqueDbName('bindings'), version: 1 | 2 = 1): FieldDatabase {
  const v1 = {
    version: 1,
    stores: {
      work_orders: { keyPath: 'id', kind: 'transactional', indexes: { byStatus: { keyPath: 'status' } } },
      service_types: {
        keyPath: 'id',
        kind: 'lookup',
        indexes: { byToken: { keyPath: 'tokens', multiEntry: true } },
      },
    },
  } as const;
  const v2 = {
    version: 2,
    stores: {
      ...v1.stores,
      service_types: {
        ...v1.stores.service_types,
        indexes: { ...v1.stores.service_types.indexes, byN: { keyPath: 'n' } },
      },
    },
  } as const;
  return defineDatabase<FieldSchema>({
    name,
    versions: version === 1 ? [v1] : [v1, v2],
    evictionHintStorage: null,
  });
}

/** An environment the test switches (the documented injection point of the one-call client). */
export function switchableEnvironment(): SyncEnvironment & { online: BehaviorSubject<boolean> } {
  const online = new BehaviorSubject(true);
  return { online, online$: online, visible$: new BehaviorSubject(true) };
}

/** A reference server plus field apps on it; `close()` closes and deletes everything. */
export interface FieldFixture {
  readonly fixture: SyncFixture;
  readonly token: string;
  app(options?: { name?: string; version?: 1 | 2 }): {
    db: FieldDatabase;
    client: LiveSyncClient<FieldSchema>;
    environment: ReturnType<typeof switchableEnvironment>;
  };
  closeApps(): Promise<void>;
  close(): Promise<void>;
}

export async function startFieldFixture(): Promise<FieldFixture> {
  const fixture = await startSyncFixture({ heartbeatMs: 5_000 });
  const token = await fixture.user('ana');
  const open: { db: FieldDatabase; client: LiveSyncClient<FieldSchema> }[] = [];
  const names = new Set<string>();
  const closeApps = async () => {
    for (const { db, client } of open.splice(0)) {
      await client.close();
      await db.close();
    }
    for (const name of names) await deleteTestDatabase(name);
    names.clear();
  };
  return {
    fixture,
    token,
    app({ name, version = 1 } = {}) {
      const db = fieldDatabase(name, version);
      names.add(db.name);
      const environment = switchableEnvironment();
      const client = createSyncClient({
        database: db,
        url: fixture.server.url,
        getToken: () => token,
        environment,
        transports: { WebSocket: WebSocket as never },
        retry: { requestRetries: 0 },
        collections: {
          work_orders: {},
          service_types: { windowSize: 10, fromServer: (st) => ({ ...st, tokens: lookupTokens([st.name]) }) },
        },
        locks: null,
      });
      open.push({ db, client });
      return { db, client, environment };
    },
    closeApps,
    async close() {
      await closeApps();
      await fixture.close();
    },
  };
}

/**
 * Replaces the observables `keys` of `target` (a database handle, a sync client) by ones that count
 * their live subscriptions, to prove a component leaves none behind.
 */
export function countSubscriptions<T extends object>(target: T, keys: readonly (keyof T & string)[]) {
  const active = new Map<string, number>(keys.map((k) => [k, 0]));
  for (const key of keys) {
    const source = target[key] as Observable<unknown>;
    const counted = new Observable<unknown>((subscriber) => {
      active.set(key, (active.get(key) ?? 0) + 1);
      const subscription = source.subscribe(subscriber);
      return () => {
        active.set(key, (active.get(key) ?? 0) - 1);
        subscription.unsubscribe();
      };
    });
    Object.defineProperty(target, key, { value: counted, configurable: true });
  }
  return {
    /** Live subscriptions per observable. */
    active: () => Object.fromEntries(active),
    /** All live subscriptions. */
    total: () => [...active.values()].reduce((a, b) => a + b, 0),
  };
}
