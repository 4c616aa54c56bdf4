// Raw IndexedDB helpers for the baselines: every request of a transaction is issued first, then
// its completion is awaited (what Safari requires), and nothing else is awaited meanwhile.

/** Resolves with the request's result. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when the transaction commits; rejects when it fails or aborts. */
export function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

/**
 * Opens `name` at `version` (the current one when omitted), running `upgrade` in the versionchange
 * transaction. Rejects instead of waiting when another connection blocks the upgrade.
 */
export function openDatabase(
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction, oldVersion: number) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    req.onupgradeneeded = (event) => {
      const tx = req.transaction;
      if (!tx) throw new Error('versionchange transaction missing');
      upgrade?.(req.result, tx, event.oldVersion);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`opening ${name} at version ${version} was blocked`));
  });
}

/** Deletes a database; rejects if an open connection blocks the deletion. */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`deleting ${name} was blocked by an open connection`));
  });
}

/** Deletes every database of the origin (between workloads and runs). */
export async function deleteAllDatabases(): Promise<string[]> {
  const names = (await indexedDB.databases()).map((info) => info.name).filter((n) => n !== undefined);
  for (const name of names) await deleteDatabase(name);
  return names;
}

/** Number of records in `store`, read in its own transaction. */
export async function countRecords(db: IDBDatabase, store: string): Promise<number> {
  const tx = db.transaction(store, 'readonly');
  const count = request(tx.objectStore(store).count());
  await done(tx);
  return count;
}
