// Workload: the demo's first start. A fresh database syncs the large lookup (`service_types`) and
// the user's own small collections (`work_orders`, `customers`) in one first sync; the figure is how
// soon the work orders can be read, and when each collection became ready.
import { createSyncClient, defineDatabase } from '../../../src/index.js';
import { deleteAllDatabases } from '../lib/idb.js';
import { syncOrThrow } from '../lib/idb-sync-client.js';
import { lookupStoreSpec } from '../lib/idb-sync-db.js';
import { LOOKUP } from '../lib/lookup-schema.js';
import type { ServerAccess } from '../lib/server-pages.js';
import { WORK_ORDERS } from '../lib/work-orders.js';

const CUSTOMERS = 'customers';

export interface FirstUsefulDataArgs {
  readonly access: ServerAccess;
  /** Pages of the lookup (the demo pulls service types in pages of 1,000). */
  readonly windowSize: number;
  /** Records each collection must hold at the end. */
  readonly expected: Readonly<Record<string, number>>;
}

export interface FirstUsefulDataResult {
  /** From `sync()` until a read of `work_orders` returned every work order. */
  readonly workOrdersReadableMs: number;
  /** Lookup records stored when the work orders were read (the lookup was still paging below its total). */
  readonly lookupStoredThen: number;
  /** From `sync()` until each collection's `ready` progress event. */
  readonly readyMs: Readonly<Record<string, number>>;
  /** The run summary's `readyMs` of each collection (from the run's own start). */
  readonly summaryReadyMs: Readonly<Record<string, number>>;
  /** From `sync()` until it resolved. */
  readonly totalMs: number;
}

/**
 * One first sync into a fresh origin (every database deleted and the new one opened before the
 * clock starts; nothing is cached: the capabilities are asked as on a real first start).
 */
export async function firstUsefulData(args: FirstUsefulDataArgs): Promise<FirstUsefulDataResult> {
  await deleteAllDatabases();
  const database = defineDatabase({
    name: 'first-useful-data',
    versions: [
      {
        version: 1,
        stores: {
          [LOOKUP]: lookupStoreSpec,
          [WORK_ORDERS]: { keyPath: 'id', kind: 'transactional' },
          [CUSTOMERS]: { keyPath: 'id', kind: 'transactional' },
        },
      },
    ],
    evictionHintStorage: null,
  });
  await database.open();
  // Declared as the demo declares them: the lookup first.
  const client = createSyncClient({
    database,
    url: location.origin,
    getToken: () => args.access.token,
    collections: { [LOOKUP]: { windowSize: args.windowSize }, [WORK_ORDERS]: {}, [CUSTOMERS]: {} },
    autoPush: false,
  });
  const readyMs: Record<string, number> = {};
  let readable: Promise<{ ms: number; count: number; lookup: number }> | undefined;
  const started = performance.now();
  const progress = client.progress$.subscribe((p) => {
    if (p.ready !== true) return;
    readyMs[p.collection] = performance.now() - started;
    if (p.collection === WORK_ORDERS) {
      readable = Promise.all([database.count(WORK_ORDERS), database.count(LOOKUP)]).then(
        ([count, lookup]) => ({ ms: performance.now() - started, count, lookup }),
      );
    }
  });
  try {
    const summary = await syncOrThrow(client);
    const totalMs = performance.now() - started;
    const seen = await readable;
    if (seen === undefined) throw new Error('no ready event for work_orders');
    if (seen.count !== args.expected[WORK_ORDERS]) {
      throw new Error(
        `${seen.count} work orders readable when ready, expected ${args.expected[WORK_ORDERS]}`,
      );
    }
    for (const [store, expected] of Object.entries(args.expected)) {
      const count = await database.count(store);
      if (count !== expected)
        throw new Error(`${store}: ${count} records after the sync, expected ${expected}`);
    }
    const summaryReadyMs = Object.fromEntries(
      summary.collections.map((c) => [c.collection, c.readyMs ?? Number.NaN]),
    );
    return { workOrdersReadableMs: seen.ms, lookupStoredThen: seen.lookup, readyMs, summaryReadyMs, totalMs };
  } finally {
    progress.unsubscribe();
    await client.close();
    await database.close();
  }
}
