// Raw IndexedDB, no SDK: proves the harness itself (bundling, serving on a real origin, page calls,
// reload, second tab, background calls, error transport) in each engine.

const storeName = 'records';

/** About 190 bytes per record, as in the measurements in BROWSERS.md. */
function record(id: number) {
  return { id, group: id % 10, name: `record-${id}`, payload: 'x'.repeat(150) };
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

function open(name: string): Promise<IDBDatabase> {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => {
    const store = req.result.createObjectStore(storeName, { keyPath: 'id' });
    store.createIndex('byGroup', 'group');
  };
  return request(req);
}

/** Names of the databases this origin has: a fresh session must have none. */
export async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((info) => info.name ?? '').sort();
}

/** Writes `total` records in transactions of `pageSize`: all puts issued, then the commit awaited. */
export async function writeRecords(name: string, total: number, pageSize: number) {
  const db = await open(name);
  const started = performance.now();
  let transactions = 0;
  for (let first = 0; first < total; first += pageSize) {
    const tx = db.transaction(storeName, 'readwrite');
    const store = tx.objectStore(storeName);
    for (let id = first; id < Math.min(first + pageSize, total); id += 1) store.put(record(id));
    await done(tx);
    transactions += 1;
  }
  const ms = performance.now() - started;
  db.close();
  return { transactions, ms };
}

/** Reads everything back and checks each record against what was written. */
export async function readBack(name: string) {
  const db = await open(name);
  const tx = db.transaction(storeName, 'readonly');
  const store = tx.objectStore(storeName);
  const all = store.getAll();
  const count = store.count();
  const group3 = store.index('byGroup').count(3);
  await done(tx);
  db.close();
  const records = all.result as ReturnType<typeof record>[];
  const mismatches = records.filter((r) => JSON.stringify(r) !== JSON.stringify(record(r.id))).length;
  return {
    count: count.result,
    idSum: records.reduce((sum, r) => sum + r.id, 0),
    group3: group3.result,
    mismatches,
  };
}

/** Throws an error with a name and code, to check that failures cross the page boundary intact. */
export async function failWithCode(): Promise<never> {
  await Promise.resolve();
  throw Object.assign(new RangeError('deliberate failure'), {
    name: 'DeliberateError',
    code: 'E2E_DELIBERATE',
  });
}
