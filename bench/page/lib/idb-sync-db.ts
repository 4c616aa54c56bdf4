// The idb-sync side of the benchmark: the same lookup store (and a transactional work-order store)
// declared through the public API.
import { type DatabaseHandle, defineDatabase, type VersionSpec } from '../../../src/index.js';
import { LOOKUP, LOOKUP_INDEXES } from './lookup-schema.js';
import { WORK_ORDERS } from './work-orders.js';

/** The lookup store as idb-sync declares it: same key and indexes as the raw and Dexie stores. */
export const lookupStoreSpec = { keyPath: 'id', kind: 'lookup', indexes: LOOKUP_INDEXES } as const;

/** The first version: the lookup store and the work orders local writes go to. */
export const firstVersion: VersionSpec = {
  version: 1,
  stores: { [LOOKUP]: lookupStoreSpec, [WORK_ORDERS]: { keyPath: 'id', kind: 'transactional' } },
};

/** A lazy handle on `name` declaring `versions` (default: the first version only). */
export function benchDatabase(
  name: string,
  versions: readonly VersionSpec[] = [firstVersion],
): DatabaseHandle {
  return defineDatabase({ name, versions, evictionHintStorage: null });
}
