import { Subject } from 'rxjs';
import type { StoreKind } from '../../upversion/schema-types.js';
import { systemStores } from '../../upversion/system-stores.js';
import type { UpgradeReport } from '../../upversion/upgrade-report.js';
import type { SyncDatabase } from '../sync-database.js';

/** App stores of a test database: kind and key path (`id` by default). */
export type TestStores = Record<string, { readonly kind: StoreKind; readonly keyPath?: string }>;

/** A real IndexedDB database for sync tests, with the SDK's system stores, behind the {@link SyncDatabase} shape. */
export interface TestDatabase extends SyncDatabase {
  readonly events$: Subject<{ readonly type: string }>;
  /** All records of a store, by key. */
  all(store: string): Promise<Record<string, unknown>[]>;
  /** One record. */
  get(store: string, id: string): Promise<Record<string, unknown> | undefined>;
  /** Closes this handle's connection (the database stays). */
  close(): void;
}

let counter = 0;

/** A fresh database name per test, so tests never share IndexedDB state by accident. */
export function uniqueDbName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}`;
}

/**
 * Opens (creating if needed) a database with `stores` and the system stores. Opening the same name
 * again gives a second handle on the same data, like another tab or a reload.
 */
export function openTestDatabase(name: string, stores: TestStores, version = 1): TestDatabase {
  let connection: Promise<IDBDatabase> | undefined;
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, version);
      request.onupgradeneeded = () => {
        const db = request.result;
        const all: Record<string, { keyPath: string; autoIncrement?: boolean; indexes?: object }> = {
          ...(systemStores as unknown as Record<string, { keyPath: string }>),
        };
        for (const [store, spec] of Object.entries(stores)) all[store] = { keyPath: spec.keyPath ?? 'id' };
        for (const [store, spec] of Object.entries(all)) {
          if (db.objectStoreNames.contains(store)) continue;
          const os = db.createObjectStore(store, {
            keyPath: spec.keyPath,
            autoIncrement: spec.autoIncrement ?? false,
          });
          const indexes = (spec.indexes ?? {}) as Record<string, { keyPath: string | string[] }>;
          for (const [index, ix] of Object.entries(indexes)) os.createIndex(index, ix.keyPath);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const db = () => {
    connection ??= open();
    return connection;
  };
  const read = <T>(store: string, make: (s: IDBObjectStore) => IDBRequest<T>) =>
    db().then(
      (d) =>
        new Promise<T>((resolve, reject) => {
          const request = make(d.transaction(store, 'readonly').objectStore(store));
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        }),
    );
  return {
    name,
    version,
    stores: Object.fromEntries(
      Object.entries(stores).map(([store, spec]) => [
        store,
        { kind: spec.kind, keyPath: spec.keyPath ?? 'id' },
      ]),
    ),
    db,
    upgradeReports: async (): Promise<UpgradeReport[]> => [],
    events$: new Subject(),
    all: (store) => read(store, (s) => s.getAll() as IDBRequest<Record<string, unknown>[]>),
    get: (store, id) => read(store, (s) => s.get(id) as IDBRequest<Record<string, unknown> | undefined>),
    close() {
      void connection?.then((d) => d.close());
      connection = undefined;
    },
  };
}

/** Deletes a test database (after its handles are closed). */
export function deleteTestDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}
