import { describe, expect, it } from 'vitest';

describe('test backend', () => {
  it('provides a working IndexedDB', async () => {
    const name = `smoke-${Math.random()}`;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('s', { keyPath: 'id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction('s', 'readwrite');
    tx.objectStore('s').put({ id: 1 });
    await new Promise((r) => (tx.oncomplete = r));
    const count = await new Promise<number>((resolve) => {
      const r = db.transaction('s').objectStore('s').count();
      r.onsuccess = () => resolve(r.result);
    });
    expect(count).toBe(1);
    expect(globalThis.__IDB_BACKEND__).toBeDefined();
    db.close();
  });
});
