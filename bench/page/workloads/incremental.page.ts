// Workload 2: incremental sync of a batch of server changes (puts and deletes mixed) into a store
// that already holds the whole collection. Each implementation keeps its database open and its
// own checkpoint between runs, as an app does.

import type { DatabaseHandle, SyncClient } from '../../../src/index.js';
import type { Change } from '../../../src/protocol/messages.js';
import { type DexieLookup, dexieLookup, dexiePullLoop } from '../lib/dexie-sync.js';
import { deleteAllDatabases, done } from '../lib/idb.js';
import { benchSyncClient, syncOrThrow, timingsOf } from '../lib/idb-sync-client.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { LOOKUP } from '../lib/lookup-schema.js';
import { countLookup, openRawLookup, pullPipelined, readCheckpoint, writeChanges } from '../lib/raw-sync.js';
import { openRxBench, type RxBench, rxPull } from '../lib/rxdb-sync.js';
import { pullAll, type ServerAccess } from '../lib/server-pages.js';

export const INCREMENTAL_IMPLS = ['raw-put', 'raw-pipelined', 'dexie-loop', 'rxdb', 'idb-sync'] as const;
export type IncrementalImpl = (typeof INCREMENTAL_IMPLS)[number];

export interface IncrementalArgs {
  readonly impl: IncrementalImpl;
  readonly access: ServerAccess;
  readonly windowSize: number;
  /** Records the store must hold after the sync. */
  readonly expected: number;
}

type Opened =
  | { kind: 'raw'; db: IDBDatabase }
  | { kind: 'dexie'; dexie: DexieLookup }
  | { kind: 'rxdb'; rx: RxBench }
  | { kind: 'idb-sync'; handle: DatabaseHandle; client: SyncClient };

const opened = new Map<IncrementalImpl, Opened>();
/** The raw baseline's changes, fetched before its clock starts, and the checkpoint after them. */
let prefetched: { pages: Change[][]; checkpoint: string } | undefined;

/** Deletes every database of the origin. */
export async function resetStorage(): Promise<void> {
  for (const state of opened.values()) {
    if (state.kind === 'idb-sync') {
      await state.client.close();
      await state.handle.close();
    }
  }
  opened.clear();
  await deleteAllDatabases();
}

/** Opens the implementation's database and fully syncs it (not timed). Returns the record count. */
export async function setup(args: IncrementalArgs): Promise<number> {
  const { impl, access, windowSize } = args;
  const name = `bench-incremental-${impl}`;
  if (impl === 'raw-put' || impl === 'raw-pipelined') {
    const db = await openRawLookup(name);
    await pullPipelined(db, access, windowSize, 'relaxed');
    opened.set(impl, { kind: 'raw', db });
    return countLookup(db);
  }
  if (impl === 'dexie-loop') {
    const dexie = dexieLookup(name);
    await dexiePullLoop(dexie, access, windowSize);
    opened.set(impl, { kind: 'dexie', dexie });
    return dexie.lookup.count();
  }
  if (impl === 'rxdb') {
    const rx = await openRxBench(name);
    await rxPull(rx, access, windowSize);
    opened.set(impl, { kind: 'rxdb', rx });
    return rx.lookup.count().exec();
  }
  const handle = benchDatabase(name);
  const client = benchSyncClient(handle, access, LOOKUP, windowSize);
  await syncOrThrow(client);
  opened.set(impl, { kind: 'idb-sync', handle, client });
  return handle.count(LOOKUP);
}

/** For the raw put baseline: fetches the pending changes (not timed). Returns how many. */
export async function prefetchChanges(access: ServerAccess, windowSize: number): Promise<number> {
  const raw = opened.get('raw-put');
  if (raw?.kind !== 'raw') throw new Error('setup raw-put first');
  prefetched = await pullAll(access, LOOKUP, await readCheckpoint(raw.db), windowSize);
  return prefetched.pages.reduce((n, page) => n + page.length, 0);
}

/** One timed incremental sync; fails unless the store ends with `expected` records. */
export async function incremental(
  args: IncrementalArgs,
): Promise<{ ms: number; count: number; breakdown?: Record<string, number> }> {
  const state = opened.get(args.impl);
  if (!state) throw new Error(`setup ${args.impl} first`);
  const started = performance.now();
  let count: number;
  let breakdown: Record<string, number> | undefined;
  if (state.kind === 'raw' && args.impl === 'raw-put') {
    const changes = prefetched;
    if (!changes) throw new Error('prefetchChanges() first');
    // The same changes, in one transaction, with the checkpoint: what any client must at least do.
    const tx = state.db.transaction([LOOKUP, 'checkpoints'], 'readwrite');
    for (const page of changes.pages) writeChanges(tx.objectStore(LOOKUP), page);
    tx.objectStore('checkpoints').put({ collection: LOOKUP, token: changes.checkpoint });
    await done(tx);
    count = await countLookup(state.db);
    prefetched = undefined;
  } else if (state.kind === 'raw') {
    await pullPipelined(state.db, args.access, args.windowSize, 'relaxed');
    count = await countLookup(state.db);
  } else if (state.kind === 'dexie') {
    await dexiePullLoop(state.dexie, args.access, args.windowSize);
    count = await state.dexie.lookup.count();
  } else if (state.kind === 'rxdb') {
    await rxPull(state.rx, args.access, args.windowSize);
    count = await state.rx.lookup.count().exec();
  } else {
    breakdown = timingsOf(await syncOrThrow(state.client));
    count = await state.handle.count(LOOKUP);
  }
  const ms = performance.now() - started;
  if (count !== args.expected) {
    throw new Error(`${args.impl}: ${count} records after the incremental sync, expected ${args.expected}`);
  }
  return breakdown ? { ms, count, breakdown } : { ms, count };
}
