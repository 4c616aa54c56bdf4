// idb-sync's sync client over its HTTP transport, pointed at the same server pages as the
// baselines. Configured as an app would: one collection synced, pages of `windowSize`, no
// background triggers (the benchmark calls `sync()` itself).

import {
  createSyncClient,
  type DatabaseHandle,
  type RunSummary,
  type SyncClient,
} from '../../../src/index.js';
import { createHttpTransport } from '../../../src/transport/index.js';
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
  const transport = createHttpTransport({
    baseUrl: location.origin,
    schemaVersion: database.version,
    getToken: () => access.token,
  });
  return createSyncClient({
    database,
    transport,
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
