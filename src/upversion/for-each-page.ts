import type { TxScope } from '../idb/tx-scope.js';
import { keyOf, sameKey } from './key-path.js';
import type { KeyPath } from './schema-types.js';

/** What to page through. */
export interface PageSource {
  readonly store: string;
  /** The store's live key path; `null` for out-of-line keys. */
  readonly keyPath: KeyPath | null;
  readonly batchSize: number;
  /** `indexedDB.cmp` of the factory in use. */
  readonly cmp: (a: unknown, b: unknown) => number;
}

/**
 * Reads a store in pages of `batchSize` records in key order and hands each page to `onPage`,
 * which must call `next` (right away or from a callback of its own requests) to get the following
 * page. Records the page handler writes at or before the page's last key are not read again.
 *
 * Pages are read with `getAllKeys` + `getAll` (two requests per page: several times faster than a
 * cursor), and checked: the keys must ascend and each value must carry its key. indexeddbshim 17
 * returns `getAll()` in insertion order and applies `count` before ordering, which that check
 * catches; from then on, and for out-of-line keys (nothing to check), pages are read with a cursor,
 * which is ordered everywhere.
 */
export function forEachPage(
  run: TxScope,
  source: PageSource,
  onPage: (keys: IDBValidKey[], values: unknown[], next: () => void) => void,
  done: () => void,
): void {
  const { store: storeName, keyPath, batchSize, cmp } = source;
  let after: IDBValidKey | undefined;
  let useCursor = keyPath === null;
  const range = (): IDBKeyRange | null => (after === undefined ? null : IDBKeyRange.lowerBound(after, true));
  const deliver = (keys: IDBValidKey[], values: unknown[], more: boolean): void => {
    if (keys.length === 0) {
      done();
      return;
    }
    after = keys[keys.length - 1];
    onPage(keys, values, more ? fetch : done);
  };
  const withCursor = (): void => {
    const keys: IDBValidKey[] = [];
    const values: unknown[] = [];
    run.on(run.tx.objectStore(storeName).openCursor(range()), (cursor) => {
      if (cursor) {
        keys.push(cursor.primaryKey);
        values.push(cursor.value);
        if (keys.length < batchSize) return cursor.continue();
      }
      // A short page is the last one: no need for one more (empty) cursor.
      deliver(keys, values, cursor !== null);
    });
  };
  const withGetAll = (): void => {
    const store = run.tx.objectStore(storeName);
    const keysRequest = store.getAllKeys(range(), batchSize);
    run.on(keysRequest);
    run.on(store.getAll(range(), batchSize), (values) => {
      const keys = keysRequest.result;
      if (!inKeyOrder(keys, values, keyPath!, cmp)) {
        useCursor = true;
        return withCursor();
      }
      deliver(keys, values, keys.length === batchSize);
    });
  };
  const fetch = (): void => (useCursor ? withCursor() : withGetAll());
  run.guard(fetch);
}

function inKeyOrder(
  keys: readonly IDBValidKey[],
  values: readonly unknown[],
  keyPath: KeyPath,
  cmp: (a: unknown, b: unknown) => number,
): boolean {
  if (keys.length !== values.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && cmp(keys[i - 1], keys[i]) >= 0) return false;
    if (!sameKey(cmp, keyOf(values[i], keyPath), keys[i])) return false;
  }
  return true;
}
