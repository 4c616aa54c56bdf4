import { type IDBPDatabase, wrap } from 'idb';
import { rawConnection } from '../../src/db/database-handle.js';
import { type DatabaseHandle, defineDatabase } from '../../src/db/define-database.js';
import type { HintStorage } from '../../src/db/eviction-hint.js';
import type { KeyType, StoreKind, VersionSpec } from '../../src/upversion/schema-types.js';

/** App stores of a test database: kind, key path (`id` by default) and key type (`string` by default). */
export type TestStores = Record<
  string,
  { readonly kind: StoreKind; readonly keyPath?: string; readonly keyType?: KeyType }
>;

/** A real database handle (`defineDatabase`) for sync tests, plus untyped helpers. */
export interface TestDatabase extends DatabaseHandle {
  /** All records of a store. */
  all(store: string): Promise<Record<string, unknown>[]>;
  /**
   * The handle's own connection, wrapped by idb, for inspecting stores (system stores included) or
   * for writing records as a pull leaves them (bypassing the outbox, which no app code can do).
   */
  idb(): Promise<IDBPDatabase<unknown>>;
  /** Writes records as a pull leaves them (no outbox entry), e.g. `{ id, v, _rev: '1' }`. */
  seed(store: string, records: readonly Record<string, unknown>[]): Promise<void>;
}

let counter = 0;

/** A fresh database name per test, so tests never share IndexedDB state by accident. */
export function uniqueDbName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}`;
}

/** Declares one version of test stores (key path `id` unless given). */
export function testVersion(
  version: number,
  stores: TestStores,
  indexes: Record<string, string[]> = {},
): VersionSpec {
  return {
    version,
    stores: Object.fromEntries(
      Object.entries(stores).map(([name, spec]) => [
        name,
        {
          keyPath: spec.keyPath ?? 'id',
          kind: spec.kind,
          ...(spec.keyType === undefined ? {} : { keyType: spec.keyType }),
          indexes: Object.fromEntries(
            (indexes[name] ?? []).map((field) => [`by-${field}`, { keyPath: field }]),
          ),
        },
      ]),
    ),
  };
}

/**
 * A handle on database `name` declared with `versions` (one version of `stores` by default). Opening
 * the same name again gives a second handle on the same data, like another tab or a reload.
 */
export function openTestDatabase(
  name: string,
  stores: TestStores,
  versions?: readonly VersionSpec[],
  /** Where the handle remembers that the database existed (eviction tests). Default: nowhere. */
  evictionHintStorage: HintStorage | null = null,
): TestDatabase {
  const handle = defineDatabase({
    name,
    versions: (versions ?? [testVersion(1, stores)]) as unknown as readonly [VersionSpec],
    blockedTimeoutMs: 5_000,
    evictionHintStorage,
  });
  return withTestHelpers(handle);
}

/** Adds the {@link TestDatabase} helpers to a handle. */
export function withTestHelpers(handle: DatabaseHandle): TestDatabase {
  const idb = async () =>
    wrap(
      await (handle as unknown as { [rawConnection](): Promise<IDBDatabase> })[rawConnection](),
    ) as IDBPDatabase<unknown>;
  return Object.assign(handle, {
    all: (store: string) => handle.getAll(store) as Promise<Record<string, unknown>[]>,
    idb,
    async seed(store: string, records: readonly Record<string, unknown>[]) {
      const tx = (await idb()).transaction(store, 'readwrite');
      for (const record of records) void tx.store.put(record);
      await tx.done;
    },
  });
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
