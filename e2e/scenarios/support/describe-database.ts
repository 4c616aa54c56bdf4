// In-page introspection of a live database with raw IndexedDB, independent of the SDK under test:
// what the upgrade really left on disk, not what the SDK says it did.

/** One index as IndexedDB reports it. */
export interface IndexShape {
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
}

/** One object store as IndexedDB reports it, with its records in key order. */
export interface StoreShape {
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: Record<string, IndexShape>;
  records: unknown[];
}

/** The app's stores (names not starting with `_`) and the names of the SDK's system stores. */
export interface DatabaseShape {
  version: number;
  stores: Record<string, StoreShape>;
  systemStores: string[];
}

const keyPathOf = (keyPath: string | string[] | null) => (Array.isArray(keyPath) ? [...keyPath] : keyPath);

/** Reads every app store's schema and records in one readonly transaction. */
export async function describeDatabase(db: IDBDatabase): Promise<DatabaseShape> {
  const names = [...db.objectStoreNames];
  const appStores = names.filter((name) => !name.startsWith('_'));
  const shape: DatabaseShape = {
    version: db.version,
    stores: {},
    systemStores: names.filter((name) => name.startsWith('_')),
  };
  if (appStores.length === 0) return shape;
  const tx = db.transaction(appStores, 'readonly');
  const reads = appStores.map((name) => {
    const store = tx.objectStore(name);
    const indexes: Record<string, IndexShape> = {};
    for (const indexName of [...store.indexNames]) {
      const index = store.index(indexName);
      indexes[indexName] = {
        keyPath: keyPathOf(index.keyPath) as string | string[],
        unique: index.unique,
        multiEntry: index.multiEntry,
      };
    }
    shape.stores[name] = {
      keyPath: keyPathOf(store.keyPath),
      autoIncrement: store.autoIncrement,
      indexes,
      records: [],
    };
    return { name, request: store.getAll() };
  });
  // Every request is issued before anything is awaited (Safari and the shim end idle transactions).
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
  for (const { name, request } of reads) {
    const store = shape.stores[name];
    if (store) store.records = request.result;
  }
  return shape;
}

/** Opens `name` at its current version with raw IndexedDB, or reports that it does not exist. */
export async function openRaw(name: string): Promise<IDBDatabase | undefined> {
  const known = (await indexedDB.databases()).some((info) => info.name === name);
  if (!known) return undefined;
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`opening ${name} without a version was blocked`));
  });
}
