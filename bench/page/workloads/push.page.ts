// Workload 4: local writes: the time to queue each write (record + its pending mutation, durable),
// then the time until the server has acknowledged all of them.

import type { DatabaseHandle, SyncClient } from '../../../src/index.js';
import type { Mutation } from '../../../src/protocol/messages.js';
import { deleteAllDatabases, done, openDatabase, request } from '../lib/idb.js';
import { benchSyncClient } from '../lib/idb-sync-client.js';
import { benchDatabase } from '../lib/idb-sync-db.js';
import { openRxBench, type RxBench, rxPush } from '../lib/rxdb-sync.js';
import { push, type ServerAccess } from '../lib/server-pages.js';
import { WORK_ORDERS, type WorkOrder, workOrder } from '../lib/work-orders.js';

export const PUSH_IMPLS = ['raw', 'rxdb', 'idb-sync'] as const;
export type PushImpl = (typeof PUSH_IMPLS)[number];

/** The raw baseline's outbox: one entry per write, keyed by an auto-incremented mutation id. */
const OUTBOX = 'outbox';

type Opened =
  | { kind: 'raw'; db: IDBDatabase; clientId: string }
  | { kind: 'rxdb'; rx: RxBench; clientId: string }
  | { kind: 'idb-sync'; handle: DatabaseHandle; client: SyncClient };
const opened = new Map<PushImpl, Opened>();

/** Mutation ids of the RxDB push handler: increasing for the page's lifetime. */
let rxMutationId = 0;

/** Deletes every database, then opens one per implementation (not timed). */
export async function setup(access: ServerAccess, batch: number): Promise<void> {
  for (const state of opened.values()) {
    if (state.kind === 'idb-sync') {
      await state.client.close();
      await state.handle.close();
    }
  }
  opened.clear();
  await deleteAllDatabases();
  const raw = await openDatabase('bench-push-raw', 1, (db) => {
    db.createObjectStore(WORK_ORDERS, { keyPath: 'id' });
    db.createObjectStore(OUTBOX, { keyPath: 'mutationId', autoIncrement: true });
  });
  opened.set('raw', { kind: 'raw', db: raw, clientId: `bench-raw-${crypto.randomUUID()}` });
  opened.set('rxdb', {
    kind: 'rxdb',
    rx: await openRxBench('bench-push-rxdb'),
    clientId: `bench-rxdb-${crypto.randomUUID()}`,
  });
  const handle = benchDatabase('bench-push-idb-sync');
  await handle.open();
  // The client syncs the work orders; pushes of `batch` mutations, like the baselines.
  const client = benchSyncClient(handle, access, WORK_ORDERS, 1_000, { maxPushBatch: batch });
  opened.set('idb-sync', { kind: 'idb-sync', handle, client });
}

function state(impl: PushImpl): Opened {
  const s = opened.get(impl);
  if (!s) throw new Error('setup() first');
  return s;
}

/** Raw IndexedDB: the record and its outbox entry in one transaction per write, awaited. */
async function rawWrite(db: IDBDatabase, value: WorkOrder): Promise<void> {
  const tx = db.transaction([WORK_ORDERS, OUTBOX], 'readwrite');
  tx.objectStore(WORK_ORDERS).put(value);
  tx.objectStore(OUTBOX).add({ op: 'put', id: value.id, value, baseRev: null, createdAt: Date.now() });
  await done(tx);
}

/**
 * Timed: `count` writes one after the other, each awaited until committed. Returns the time of
 * each write in milliseconds.
 */
export async function queueWrites(impl: PushImpl, prefix: string, count: number): Promise<number[]> {
  const s = state(impl);
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const value = workOrder(prefix, i);
    const started = performance.now();
    if (s.kind === 'raw') await rawWrite(s.db, value);
    else if (s.kind === 'rxdb') await s.rx.workOrders.insert(value);
    else await s.handle.put(WORK_ORDERS, value);
    times.push(performance.now() - started);
  }
  return times;
}

/** Raw IndexedDB: `values` and one outbox entry each in ONE transaction (records only with `records`). */
async function rawBatch(db: IDBDatabase, values: readonly WorkOrder[], outbox: boolean): Promise<void> {
  const tx = db.transaction(outbox ? [WORK_ORDERS, OUTBOX] : [WORK_ORDERS], 'readwrite');
  const data = tx.objectStore(WORK_ORDERS);
  const entries = outbox ? tx.objectStore(OUTBOX) : undefined;
  for (const value of values) {
    data.put(value);
    entries?.add({ op: 'put', id: value.id, value, baseRev: null, createdAt: Date.now() });
  }
  await done(tx);
}

/** Times of one batch write of `count` new records, in milliseconds, by variant. */
export interface BatchTimes {
  /** The implementation's batch write: raw with outbox entries, RxDB `bulkInsert`, idb-sync `bulkPut`. */
  readonly batch: number;
  /** raw only: the same records without outbox entries (a plain one-transaction put). */
  readonly recordsOnly?: number;
}

/**
 * Timed: one batch of `count` new records in one call, awaited until committed. The records stay
 * queued: {@link pushAll} pushes them (untimed by the runner).
 */
export async function queueBatch(impl: PushImpl, prefix: string, count: number): Promise<BatchTimes> {
  const s = state(impl);
  const values = Array.from({ length: count }, (_, i) => workOrder(prefix, i));
  const started = performance.now();
  if (s.kind === 'raw') await rawBatch(s.db, values, true);
  else if (s.kind === 'rxdb') await s.rx.workOrders.bulkInsert(values);
  else await s.handle.bulkPut(WORK_ORDERS, values);
  const batch = performance.now() - started;
  if (s.kind !== 'raw') return { batch };
  // Records only, under other ids: never pushed (no outbox entry).
  const plain = Array.from({ length: count }, (_, i) => workOrder(`${prefix}-plain`, i));
  const plainStarted = performance.now();
  await rawBatch(s.db, plain, false);
  return { batch, recordsOnly: performance.now() - plainStarted };
}

type OutboxEntry = { mutationId: number; op: 'put' | 'delete'; id: string; value?: WorkOrder; baseRev: null };

/** The raw baseline's push loop: batches of the outbox, each deleted once acknowledged. */
async function rawPushAll(s: Extract<Opened, { kind: 'raw' }>, access: ServerAccess, batch: number) {
  let pushed = 0;
  for (;;) {
    const tx = s.db.transaction(OUTBOX, 'readonly');
    const entries = request(tx.objectStore(OUTBOX).getAll(null, batch)) as Promise<OutboxEntry[]>;
    await done(tx);
    const list = await entries;
    if (list.length === 0) return pushed;
    const mutations: Mutation[] = list.map((e) => ({
      mutationId: e.mutationId,
      collection: WORK_ORDERS,
      id: e.id,
      op: e.op,
      baseRev: e.baseRev,
      ...(e.value === undefined ? {} : { value: e.value }),
    }));
    const answer = await push(access, { clientId: s.clientId, mutations });
    if (answer.results.some((r) => r.status !== 'applied')) throw new Error('a raw push was not applied');
    const ack = s.db.transaction(OUTBOX, 'readwrite');
    const last = list.at(-1)!.mutationId;
    ack.objectStore(OUTBOX).delete(IDBKeyRange.upperBound(last));
    await done(ack);
    pushed += list.length;
  }
}

/** Timed: pushes every pending write and waits until the server acknowledged all of them. */
export async function pushAll(impl: PushImpl, access: ServerAccess, batch: number): Promise<number> {
  const s = state(impl);
  const started = performance.now();
  if (s.kind === 'raw') await rawPushAll(s, access, batch);
  else if (s.kind === 'rxdb') {
    rxMutationId ||= Date.now();
    await rxPush(s.rx, access, s.clientId, () => ++rxMutationId, batch);
  } else {
    // Push only: an empty pull list keeps the run from pulling the other implementations' writes.
    const summary = await s.client.sync({ collections: [] });
    if (summary.outcome !== 'ok')
      throw new Error(`idb-sync push ended ${summary.outcome}: ${summary.error?.message}`);
  }
  const ms = performance.now() - started;
  if (s.kind === 'idb-sync') {
    const pending = await s.client.pendingWrites();
    if (pending !== 0) throw new Error(`idb-sync: ${pending} writes still pending after the push`);
  }
  return ms;
}
