// The app the sync scenarios run in the page: a database declared like the demo's (two shared lookup
// stores, two per-user transactional ones) and a sync client of the reference server (reached through
// the static server's same-origin proxy: the server sends no CORS headers), set up in one call.

import { type DatabaseHandle, defineDatabase } from '../../../src/index.js';
import type { ConflictStrategy } from '../../../src/sync/conflict-strategy.js';
import { createSyncClient, type SyncClient } from '../../../src/sync/sync-client.js';

const appStores = {
  service_types: { keyPath: 'id', kind: 'lookup', indexes: { byName: { keyPath: 'name' } } },
  parts: { keyPath: 'id', kind: 'lookup' },
  work_orders: { keyPath: 'id', kind: 'transactional' },
  customers: { keyPath: 'id', kind: 'transactional' },
} as const;

/** v1 of the app's schema. */
export const appV1 = { version: 1, stores: appStores } as const;

/** v2: `parts` (a lookup store) gets an index, `work_orders` too; `service_types` is unchanged. */
export const appV2 = {
  version: 2,
  stores: {
    ...appStores,
    parts: { keyPath: 'id', kind: 'lookup', indexes: { byCategory: { keyPath: 'category' } } },
    work_orders: { keyPath: 'id', kind: 'transactional', indexes: { byStatus: { keyPath: 'status' } } },
  },
} as const;

/** What the Node side passes to build the app in a tab. */
export interface AppConfig {
  readonly dbName: string;
  /** Path of the reference server on the page's origin (`/proxy/<port>`). */
  readonly serverPath: string;
  readonly token: string;
  /** Schema version the tab's code declares. Default 1. */
  readonly version?: 1 | 2;
  /** Conflict strategy of `work_orders`. Default: the SDK's (`server-wins`). */
  readonly workOrderConflicts?: 'server-wins' | 'client-wins' | 'merge';
  /** Records per pulled page. Default 500. */
  readonly windowSize?: number;
  /** Default 5000. */
  readonly blockedTimeoutMs?: number;
  /** Bound on one request to the server. Default 15000 ms. */
  readonly requestTimeoutMs?: number;
  /** `parts` declares a unique index on `code` (v1 only; the clash scenario). Default false. */
  readonly uniquePartCodes?: boolean;
}

/** One app instance in a tab: its database handle and sync client. */
export interface App {
  readonly database: DatabaseHandle;
  readonly client: SyncClient;
}

/** Builds the app (opens nothing until used). */
export function createApp(config: AppConfig): App {
  const v1 = config.uniquePartCodes
    ? {
        ...appV1,
        stores: {
          ...appStores,
          parts: { keyPath: 'id', kind: 'lookup', indexes: { byCode: { keyPath: 'code', unique: true } } },
        },
      }
    : appV1;
  const versions = config.version === 2 ? [appV1, appV2] : [v1];
  const database = defineDatabase({
    name: config.dbName,
    versions: versions as unknown as readonly [typeof appV1],
    blockedTimeoutMs: config.blockedTimeoutMs ?? 5_000,
  }) as unknown as DatabaseHandle;
  const conflicts: ConflictStrategy | undefined =
    config.workOrderConflicts === 'merge' ? { kind: 'merge' } : config.workOrderConflicts;
  // The scenarios run each sync themselves (`sync()`, never `start()`): requests go over HTTP.
  const client = createSyncClient({
    database,
    url: `${location.origin}${config.serverPath}`,
    getToken: () => config.token,
    retry: { requestRetries: 0 },
    transports: { timeoutMs: config.requestTimeoutMs ?? 15_000 },
    windowSize: config.windowSize ?? 500,
    collections: {
      service_types: {},
      parts: {},
      work_orders: conflicts ? { conflicts } : {},
      customers: {},
    },
  });
  return { database, client };
}

/** A run summary reduced to what scenarios assert on (JSON). */
export function describeRun(summary: Awaited<ReturnType<SyncClient['sync']>>) {
  return {
    outcome: summary.outcome,
    error: summary.error,
    push: summary.push,
    plans: Object.fromEntries(summary.plans.map((p) => [p.collection, { mode: p.mode, reasons: p.reasons }])),
    fetched: Object.fromEntries(summary.collections.map((c) => [c.collection, c.fetch])),
    pages: Object.fromEntries(summary.collections.map((c) => [c.collection, c.pages])),
    skipped: Object.fromEntries(summary.collections.map((c) => [c.collection, c.skipped])),
    ms: Math.round(summary.timings.total),
  };
}

/** Record counts of every app store. */
export async function counts(database: DatabaseHandle) {
  const out: Record<string, number> = {};
  for (const store of Object.keys(appStores)) out[store] = await database.count(store as never);
  return out;
}
