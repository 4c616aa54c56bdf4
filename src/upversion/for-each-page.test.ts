import { describe, expect, it } from 'vitest';
import { openRaw, uniqueName } from '../../test/db/test-support.js';
import { TxScope } from '../idb/tx-scope.js';
import { forEachPage } from './for-each-page.js';

// Keys inserted out of order: on indexeddbshim, getAll() follows insertion order (its bug), so
// the pages below are only right if the fallback to a cursor works.
const insertionOrder = [5, 1, 4, 7, 2, 6, 3];

async function pagesOf(keyPath: string | null, batchSize: number): Promise<[IDBValidKey[], unknown[]][]> {
  const name = uniqueName('pages');
  const db = await openRaw(name, 1, (raw) => {
    const store = keyPath === null ? raw.createObjectStore('s') : raw.createObjectStore('s', { keyPath });
    for (const id of insertionOrder) {
      if (keyPath === null) store.put({ n: id }, id);
      else store.put({ id, n: id });
    }
  });
  try {
    return await new Promise((resolve, reject) => {
      const pages: [IDBValidKey[], unknown[]][] = [];
      const tx = db.transaction('s', 'readonly');
      const run = new TxScope(tx, { onFail: reject });
      forEachPage(
        run,
        { store: 's', keyPath, batchSize, cmp: (a, b) => indexedDB.cmp(a, b) },
        (keys, values, next) => {
          pages.push([keys, values]);
          next();
        },
        () => resolve(pages),
      );
    });
  } finally {
    db.close();
  }
}

describe('forEachPage', () => {
  it.each([
    ['inline keys', 'id'],
    ['out-of-line keys', null],
  ] as const)('reads every record once, in key order, in pages (%s)', async (_name, keyPath) => {
    const pages = await pagesOf(keyPath, 2);
    expect(pages.map(([keys]) => keys)).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    for (const [keys, values] of pages) {
      expect(values.map((v) => (v as { n: number }).n)).toEqual(keys);
    }
  });

  it('stops after a full last page with one more (empty) read', async () => {
    const pages = await pagesOf('id', 7);
    expect(pages.map(([keys]) => keys)).toEqual([[1, 2, 3, 4, 5, 6, 7]]);
  });
});
