// Workload 1: initial full sync of the lookup collection into an empty database, until queryable
// (committed and counted). Every implementation pulls the same server pages, or, for the raw
// write baselines, writes the same records already in memory.
import type { Change, PullResponse } from '../../../src/protocol/messages.js';
import { dexieLookup, dexiePullLoop } from '../lib/dexie-sync.js';
import { deleteAllDatabases } from '../lib/idb.js';
import { benchSyncClient, syncOrThrow, timingsOf } from '../lib/idb-sync-client.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { LOOKUP } from '../lib/lookup-schema.js';
import {
  countLookup,
  openRawLookup,
  pullPipelined,
  writeOneTransaction,
  writePaged,
} from '../lib/raw-sync.js';
import { openRxBench, rxPull } from '../lib/rxdb-sync.js';
import { pullAll, pullPage, type ServerAccess } from '../lib/server-pages.js';

/** The implementations this page can run. */
export const FULL_SYNC_IMPLS = [
  'raw-one-tx',
  'raw-paged',
  'raw-pipelined',
  'dexie-loop',
  'rxdb',
  'idb-sync',
] as const;
export type FullSyncImpl = (typeof FULL_SYNC_IMPLS)[number];

export interface FullSyncArgs {
  readonly impl: FullSyncImpl;
  readonly dbName: string;
  readonly access: ServerAccess;
  readonly windowSize: number;
  /** Records the store must hold at the end; anything else fails the run. */
  readonly expected: number;
}

/** The records "already in memory" of the raw write baselines, as the server's pages. */
let memory: Change[][] | undefined;
/** Fetches every page once (not timed) for the raw write baselines; returns the record count. */
export async function loadIntoMemory(access: ServerAccess, windowSize: number): Promise<number> {
  memory = (await pullAll(access, LOOKUP, null, windowSize)).pages;
  return memory.reduce((n, page) => n + page.length, 0);
}

/** Drops the in-memory records (before heap measurements). */
export function dropMemory(): void {
  memory = undefined;
}

/** One parsed page kept alive, to measure the memory one page takes. */
let heldPage: PullResponse | undefined;

/** Fetches and parses one page and keeps it referenced, so the driver can weigh it. */
export async function holdOnePage(access: ServerAccess, windowSize: number): Promise<number> {
  heldPage = await pullPage(access, LOOKUP, null, windowSize);
  return heldPage.changes.length;
}

/** Lets the held page be collected; returns how many records it held (reading it keeps it live). */
export function releasePage(): number {
  const held = heldPage?.changes.length ?? 0;
  heldPage = undefined;
  return held;
}

/** Deletes every database of the origin. */
export function resetStorage(): Promise<string[]> {
  return deleteAllDatabases();
}

interface Runner {
  /** Time from the first pull request (or first write) until the count is read back. */
  sync(): Promise<number>;
  close(): Promise<void>;
  /** idb-sync's own split of the time (network wait, IndexedDB, other), after `sync()`. */
  breakdown?: () => Record<string, number>;
}

async function prepare(args: FullSyncArgs): Promise<Runner> {
  const { impl, dbName, access, windowSize } = args;
  switch (impl) {
    case 'raw-one-tx':
    case 'raw-paged': {
      const pages = memory;
      if (!pages) throw new Error('loadIntoMemory() first');
      const db = await openRawLookup(dbName);
      return {
        sync: () =>
          impl === 'raw-one-tx' ? writeOneTransaction(db, pages) : writePaged(db, pages, 'default'),
        close: async () => db.close(),
      };
    }
    case 'raw-pipelined': {
      const db = await openRawLookup(dbName);
      return {
        sync: async () => {
          await pullPipelined(db, access, windowSize, 'relaxed');
          return countLookup(db);
        },
        close: async () => db.close(),
      };
    }
    case 'dexie-loop': {
      const dexie = dexieLookup(dbName);
      await dexie.db.open();
      return {
        sync: async () => {
          await dexiePullLoop(dexie, access, windowSize);
          return dexie.lookup.count();
        },
        close: async () => dexie.db.close(),
      };
    }
    case 'rxdb': {
      const rx = await openRxBench(dbName);
      return {
        sync: async () => {
          await rxPull(rx, access, windowSize);
          return rx.lookup.count().exec();
        },
        close: async () => {
          await rx.db.close();
        },
      };
    }
    case 'idb-sync': {
      const handle = benchDatabase(dbName);
      await handle.open();
      const client = benchSyncClient(handle, access, LOOKUP, windowSize);
      let breakdown: Record<string, number> = {};
      return {
        sync: async () => {
          breakdown = timingsOf(await syncOrThrow(client));
          return handle.count(LOOKUP);
        },
        close: async () => {
          await client.close();
          await handle.close();
        },
        breakdown: () => breakdown,
      };
    }
  }
}

/**
 * One timed full sync into a fresh origin (every database deleted first, not timed; the
 * database is created and opened before the clock starts). Fails unless the store ends with
 * `expected` records.
 */
export async function fullSync(
  args: FullSyncArgs,
): Promise<{ ms: number; count: number; breakdown?: Record<string, number> }> {
  await deleteAllDatabases();
  const runner = await prepare(args);
  try {
    const started = performance.now();
    const count = await runner.sync();
    const ms = performance.now() - started;
    if (count !== args.expected) {
      throw new Error(
        `${args.impl}: the store holds ${count} records after the sync, expected ${args.expected}`,
      );
    }
    return runner.breakdown ? { ms, count, breakdown: runner.breakdown() } : { ms, count };
  } finally {
    await runner.close();
  }
}
