// The reference picker over the `service_types` lookup store, as an app would write it: a prefix
// search on the `byName` index, one page at a time, plus the total of matches.
import type { IDBPTransaction } from 'idb';
import type { DatabaseHandle } from '../../../src/index.js';

/** One page of picker results. */
export interface PickerPage {
  readonly total: number;
  readonly ids: string[];
  readonly names: string[];
}

/**
 * Service types whose name starts with `prefix` (case-sensitive), page `page` (0-based) of
 * `pageSize`, in name order, read in one transaction (the count is issued before the cursor walks).
 */
export async function searchServiceTypes(
  database: DatabaseHandle,
  prefix: string,
  page: number,
  pageSize: number,
): Promise<PickerPage> {
  const range = prefix === '' ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  return database.read(['service_types'], async (tx) => {
    const index = (tx as unknown as IDBPTransaction<unknown, ['service_types']>).store.index('byName');
    const total = index.count(range);
    const ids: string[] = [];
    const names: string[] = [];
    let cursor = await index.openCursor(range);
    if (cursor && page > 0) cursor = await cursor.advance(page * pageSize);
    while (cursor && ids.length < pageSize) {
      const value = cursor.value as { id: string; name: string };
      ids.push(value.id);
      names.push(value.name);
      cursor = ids.length < pageSize ? await cursor.continue() : null;
    }
    return { total: await total, ids, names };
  });
}
