// In-page side shared by the sync scenarios (their `page: 'sync-app'`): one app per tab, built by
// `openApp`, and small functions that drive it and answer with JSON.
import { filter, firstValueFrom, from } from 'rxjs';
import type { RecordValue, StoreConflictLogEntry } from '../../src/index.js';
import type { CheckpointRecord } from '../../src/sync/internal-stores.js';
import type { SyncRequestOptions } from '../../src/sync/sync-client.js';
import { openRaw } from './support/describe-database.js';
import { searchServiceTypes } from './support/picker.js';
import { idbOf, rawConnectionOf } from './support/raw-connection.js';
import { type App, type AppConfig, counts, createApp, describeRun } from './support/sync-app.js';
import { describeError, within } from './support/versions.js';

let app: App | undefined;
const statuses: string[] = [];
const events: string[] = [];
let versionchange: Promise<unknown> | undefined;

function current(): App {
  if (!app) throw new Error('openApp first');
  return app;
}

/** Builds this tab's app (opens nothing yet). */
export function openApp(config: AppConfig) {
  app = createApp(config);
  app.client.status$.subscribe((status) => statuses.push(String(status)));
  // Subscribed before the first operation, so nothing the handle emits is missed.
  app.database.events$.subscribe((event) => events.push(event.type));
  versionchange = firstValueFrom(
    from(app.database.events$).pipe(filter((event) => event.type === 'versionchange')),
  );
  return { version: app.database.version };
}

/** Runs one sync and answers with its summary. */
export async function sync(options: SyncRequestOptions = {}) {
  return describeRun(await current().client.sync(options));
}

/** Record counts of every app store. */
export function storeCounts() {
  return counts(current().database);
}

/** One page of the reference picker. */
export function search(prefix: string, page: number, pageSize: number) {
  return searchServiceTypes(current().database, prefix, page, pageSize);
}

/** A local record, or null. */
export async function read(store: string, id: string) {
  return ((await current().database.get(store as never, id as never)) ?? null) as RecordValue | null;
}

/** A local write through the database handle (queued for the server in the same transaction). */
export async function write(store: string, value: RecordValue) {
  await current().database.put(store as never, value as never);
}

/**
 * Writes `work_orders` and `customers` through every public write API of the handle (single put and
 * delete, a multi-store transaction with put, add and a range delete, bulkPut, bulkDelete), then
 * tries writes that must be refused. Answers with the ids that should reach the server and the
 * refusals, as JSON.
 */
export async function writeEveryWay(prefix: string) {
  const { database } = current();
  const id = (n: string | number) => `${prefix}-${n}`;
  await database.put('work_orders', { id: id('put'), title: 'put' });
  await database.put('work_orders', { id: id('gone'), title: 'deleted again' });
  await database.delete('work_orders', id('gone'));
  await database.put('work_orders', { id: id('range-1'), title: 'deleted by range' });
  await database.put('work_orders', { id: id('range-2'), title: 'deleted by range' });
  await database.write(['work_orders', 'customers'], (tx) => {
    const orders = tx.objectStore('work_orders');
    void orders.put({ id: id('tx-put'), title: 'in a transaction' });
    void orders.add({ id: id('tx-add'), title: 'added in a transaction' });
    void orders.delete(IDBKeyRange.bound(id('range-'), `${id('range-')}\uffff`));
    void tx.objectStore('customers').put({ id: id('customer'), name: 'Acme' });
  });
  const bulk = Array.from({ length: 40 }, (_, i) => ({ id: id(`bulk-${String(i).padStart(2, '0')}`), n: i }));
  await database.bulkPut('work_orders', bulk);
  await database.bulkDelete(
    'work_orders',
    bulk.filter((r) => r.n % 4 === 0).map((r) => r.id),
  );
  const clear = await database
    .write(['work_orders'], (tx) =>
      (tx.objectStore('work_orders') as unknown as { clear(): unknown }).clear(),
    )
    .then(() => null, describeError);
  const lookup = await database.put('parts', { id: id('part'), name: 'x' }).then(() => null, describeError);
  const expected = {
    work_orders: [
      id('put'),
      id('tx-put'),
      id('tx-add'),
      ...bulk.filter((r) => r.n % 4 !== 0).map((r) => r.id),
    ],
    customers: [id('customer')],
  };
  return { expected, refused: { clear, lookup } };
}

/** Local writes not acknowledged by the server yet. */
export function pendingWrites() {
  return current().client.pendingWrites();
}

/** The conflict log. */
export async function conflictLog() {
  // Values as plain records (the page's app is untyped).
  return (await current().client.conflictLog()) as StoreConflictLogEntry[];
}

/** The skipped-records log, as `[collection, id, reason, heldBy]`. */
export async function skippedRecords() {
  return (await current().client.skippedRecords()).map((e) => [
    e.collection,
    e.id,
    e.reason,
    e.heldBy ?? null,
  ]);
}

/** `id → code` of the local `parts`. */
export async function partCodes() {
  const all = (await current().database.getAll('parts' as never)) as RecordValue[];
  return Object.fromEntries(all.map((r) => [String(r['id']), r['code'] ?? null]));
}

/** Statuses seen by this tab so far. */
export function seenStatuses() {
  return statuses;
}

/** The database's upgrade reports. */
export function upgradeReports() {
  return current().database.upgradeReports();
}

/** Closes the sync client and the database handle. */
export async function closeApp() {
  if (!app) return;
  await app.client.close();
  await app.database.close();
  app = undefined;
}

/** Opens the database within `ms`, reporting the outcome instead of throwing. */
export async function openDatabaseWithin(ms: number) {
  const { database } = current();
  const states: string[] = [];
  const subscription = database.state$.subscribe((state) => states.push(state));
  try {
    const result = await within(
      rawConnectionOf(database).then((db) => db.version),
      ms,
    );
    return { ...result, state: database.state, states };
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * After another tab upgraded the database: did this tab's handle get the versionchange, and do its
 * next database operation and its next sync settle within `boundMs` instead of hanging?
 */
export async function afterVersionchange(boundMs: number) {
  const { database, client } = current();
  if (!versionchange) throw new Error('openApp first');
  const event = await within(versionchange, boundMs);
  const next = await within(database.count('work_orders' as never), boundMs);
  const run = await within(client.sync().then(describeRun), boundMs);
  return { event: event.outcome, next, run, events };
}

/**
 * Begins a sync and resolves once `collection`'s full or red sync has written at least `done`
 * records; the run goes on (the scenario reloads the page under it).
 */
export function syncUntil(collection: string, done: number, options: SyncRequestOptions = {}) {
  const { client } = current();
  return new Promise<{ done: number; total?: number }>((resolve, reject) => {
    const subscription = client.progress$.subscribe((progress) => {
      if (progress.collection !== collection || progress.done < done) return;
      subscription.unsubscribe();
      resolve({ done: progress.done, ...(progress.total === undefined ? {} : { total: progress.total }) });
    });
    client
      .sync(options)
      .then(
        (summary) =>
          reject(new Error(`the run ended before ${done} records: ${JSON.stringify(describeRun(summary))}`)),
        reject,
      );
  });
}

/** Progress events seen by this tab's client (from the moment it is called). */
const progressSeen: { collection: string; done: number; total?: number }[] = [];
export function trackProgress() {
  current().client.progress$.subscribe((p) =>
    progressSeen.push({
      collection: p.collection,
      done: p.done,
      ...(p.total === undefined ? {} : { total: p.total }),
    }),
  );
}
export function progressEvents() {
  return progressSeen;
}

/** Errors emitted on this tab's client's `errors$` (from the moment it is called), as JSON. */
const errorsSeen: ReturnType<typeof describeError>[] = [];
export function trackErrors() {
  current().client.errors$.subscribe((error) => errorsSeen.push(describeError(error)));
}
export function seenErrors() {
  return errorsSeen;
}

/**
 * What is stored for `collection` (its store named alike), read in one transaction: the saved
 * checkpoint, the record count and the first and last keys, to compare the data with the checkpoint.
 */
export async function storedState(collection: string) {
  const idb = await idbOf(current().database);
  const tx = idb.transaction([collection, '_checkpoints'], 'readonly');
  const store = tx.objectStore(collection);
  const reads = Promise.all([
    tx.objectStore('_checkpoints').get(collection) as Promise<CheckpointRecord | undefined>,
    store.count(),
    store.openKeyCursor(null, 'next').then((c) => c?.key ?? null),
    store.openKeyCursor(null, 'prev').then((c) => c?.key ?? null),
  ]);
  const [checkpoint, count, first, last] = await reads;
  await tx.done;
  return { checkpoint: checkpoint ?? null, count, first, last };
}

let raw: IDBDatabase | undefined;

/** Holds a raw connection to `dbName` that ignores versionchange (a tab that never lets go). */
export async function holdRawConnection(dbName: string) {
  raw = await openRaw(dbName);
  return { version: raw?.version };
}

/** Lets go of the raw connection. */
export function releaseRawConnection() {
  raw?.close();
  raw = undefined;
}

export { describeError };
