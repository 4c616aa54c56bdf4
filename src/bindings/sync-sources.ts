import type { DatabaseHandle } from '../db/define-database.js';
import { Multicast } from '../rx/multicast.js';
import type { Observable } from '../rx/observable.js';
import { filterValues, mapValues, mergeAll, operate } from '../rx/operators.js';
import type { SyncProgress } from '../sync/run-context.js';
import type { RunSummary } from '../sync/run-summary.js';
import type { SkippedRecord } from '../sync/skipped-log.js';
import type { ConflictLogOf, SyncClient } from '../sync/sync-client-api.js';
import { rerunOn } from './rerun-on.js';

/** The last run any binding saw, per client: a panel mounted later shows it at once. */
const lastRuns = /* @__PURE__ */ new WeakMap<object, RunSummary>();
/** Conflict log clears made through the bindings, per client (the client announces none). */
const clears = /* @__PURE__ */ new WeakMap<object, Multicast<void>>();

function clearsOf(client: object): Observable<void> {
  let subject = clears.get(client);
  if (subject === undefined) {
    subject = new Multicast<void>();
    clears.set(client, subject);
  }
  return subject.asObservable();
}

/** Changes of `database`'s synced (transactional) stores, from any origin. */
function syncedChanges$<S>(database: DatabaseHandle<S>, origin?: 'remote'): Observable<unknown> {
  return filterValues(
    database.changes$,
    (change) =>
      database.stores[change.store]?.kind === 'transactional' &&
      (origin === undefined || change.origin === origin),
  );
}

/**
 * The number of local writes not yet acknowledged by the server, counted again after a write to a
 * synced store (this tab or another), a change the sync brought (a push's acknowledgement stamps
 * the record) and each finished run.
 */
export function pendingWrites$<S>(
  client: Pick<SyncClient, 'runs$' | 'pendingWrites'>,
  database: DatabaseHandle<S>,
): Observable<number> {
  return rerunOn(mergeAll<unknown>(syncedChanges$(database), client.runs$), () => client.pendingWrites());
}

/**
 * The conflict log (oldest first; `store`: one collection only), read again after each conflict
 * this tab resolves, each change the sync brought to a synced store (a conflict resolved by the
 * leading tab changes its record) and each clear made through {@link clearConflictLog}.
 */
export function conflictLog$<S, N extends Parameters<SyncClient<S>['conflictLog']>[0]>(
  client: SyncClient<NoInfer<S>>,
  database: DatabaseHandle<S>,
  store?: N,
): Observable<ConflictLogOf<S, N>[]> {
  return rerunOn(
    mergeAll<unknown>(client.conflicts$, syncedChanges$(database, 'remote'), clearsOf(client)),
    () => client.conflictLog(store),
  ) as Observable<ConflictLogOf<S, N>[]>;
}

/** Empties the conflict log (up to `upToSeq`) and has every binding of `client` read it again. */
export async function clearConflictLog(
  client: Pick<SyncClient, 'clearConflictLog'>,
  upToSeq?: number,
): Promise<number> {
  const removed = await client.clearConflictLog(upToSeq);
  clears.get(client)?.next(undefined);
  return removed;
}

/** The progress of the red or full sync under way (one event per page), `null` once the run ends. */
export function syncProgress$(
  client: Pick<SyncClient, 'progress$' | 'runs$'>,
): Observable<SyncProgress | null> {
  return mergeAll<SyncProgress | null>(
    client.progress$,
    mapValues(client.runs$, () => null),
  );
}

/** Each finished run's summary (remembered per client for bindings mounted later: {@link lastRun}). */
export function lastRun$(client: Pick<SyncClient, 'runs$'>): Observable<RunSummary> {
  return operate(client.runs$, (subscriber) => (run) => {
    lastRuns.set(client, run);
    subscriber.next(run);
  });
}

/** The last run a binding of `client` saw, or `null`. */
export function lastRun(client: Pick<SyncClient, 'runs$'>): RunSummary | null {
  return lastRuns.get(client) ?? null;
}

/** The skipped-records log as it changes (oldest first; `collection`: one collection only). */
export function skippedRecords$(
  client: Pick<SyncClient, 'skippedRecords$'>,
  collection?: string,
): Observable<SkippedRecord[]> {
  return mapValues(client.skippedRecords$, (records) =>
    collection === undefined ? records : records.filter((r) => r.collection === collection),
  );
}

/**
 * What the skipped-records bindings need of a sync client (any schema's: the collection is named
 * by its string).
 */
export interface SkippedRecordsClient {
  /** See `SyncClient.skippedRecords$`. */
  readonly skippedRecords$: Observable<SkippedRecord[]>;
  /** See `SyncClient.sync`. */
  sync(options?: { readonly retrySkipped?: boolean | readonly string[] }): Promise<RunSummary>;
}
