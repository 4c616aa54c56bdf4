// idb-sync's sync client, set up in one call as an app would and pointed at the same server pages
// as the baselines: one collection synced, pages of `windowSize`, never started (the benchmark
// calls `sync()` itself, so every request goes over HTTP).

import {
  createSyncClient,
  type DatabaseHandle,
  type RunSummary,
  type SyncClient,
} from '../../../src/index.js';
import type { ServerAccess } from './server-pages.js';

/** A sync client of `database` syncing only `collection`. */
export function benchSyncClient(
  database: DatabaseHandle,
  access: ServerAccess,
  collection: string,
  windowSize: number,
  options: {
    maxPushBatch?: number;
    /** The collection's `fromServer` transform (search derives its tokens this way). */
    fromServer?: (record: unknown) => unknown;
  } = {},
): SyncClient {
  return createSyncClient({
    database,
    url: location.origin,
    getToken: () => access.token,
    collections: {
      [collection]:
        options.fromServer === undefined ? { windowSize } : { windowSize, fromServer: options.fromServer },
    },
    windowSize,
    autoPush: false,
    ...(options.maxPushBatch === undefined ? {} : { maxPushBatch: options.maxPushBatch }),
  });
}

/** Runs one sync and fails unless it ended `ok`; resolves with its summary. */
export async function syncOrThrow(client: SyncClient): Promise<RunSummary> {
  let cause = '';
  const errors = client.errors$.subscribe((error) => {
    const inner = (error as { cause?: unknown }).cause;
    if (inner instanceof Error || inner instanceof DOMException) cause = `${inner.name}: ${inner.message}`;
  });
  try {
    const summary = await client.sync();
    if (summary.outcome !== 'ok') {
      throw new Error(
        `idb-sync run ended ${summary.outcome}: ${summary.error?.code} ${summary.error?.message}` +
          (cause === '' ? '' : ` (cause: ${cause})`),
      );
    }
    return summary;
  } finally {
    errors.unsubscribe();
  }
}

/** Where a run's time went (idb-sync's own accounting), for the report. */
export function timingsOf(summary: RunSummary) {
  const { network, indexedDb, other } = summary.timings;
  return { network, indexedDb, other };
}
