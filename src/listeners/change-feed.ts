import { concatMap, defer, filter, from, type Observable, share, startWith, switchMap } from 'rxjs';
import type { StoreChange } from '../db/database-changes.js';
import type { RecordValue } from '../protocol/messages.js';

/**
 * A record change as the feed delivers it: the handle's change with the stored record read for
 * puts (so it may be newer than the change itself, and absent if the record was deleted meanwhile).
 * `origin` is `local` for writes made through a handle (this tab or another), `remote` for changes
 * from the server.
 */
export interface FeedChange {
  readonly store: string;
  readonly type: 'put' | 'delete';
  readonly id: IDBValidKey;
  readonly value?: RecordValue;
  readonly origin: 'local' | 'remote';
}

/**
 * The database part the feed reads (a `defineDatabase` handle): its name, its `changes$` and a read
 * transaction.
 */
export interface FeedDatabase {
  readonly name: string;
  readonly changes$: Observable<StoreChange>;
  read<R>(stores: readonly string[], fn: (tx: FeedReadTransaction) => R | PromiseLike<R>): Promise<R>;
}

/** The part of an idb transaction the feed uses. */
export interface FeedReadTransaction {
  objectStore(name: string): { get(key: IDBValidKey): Promise<unknown> };
}

/** Options of {@link changeFeed}. */
export interface ChangeFeedOptions {
  /**
   * The database handle: its `changes$` has this tab's writes, the other tabs' (over its
   * BroadcastChannel) and the changes the sync clients pulled.
   */
  readonly database: FeedDatabase;
}

/** What {@link changeFeed} returns. */
export interface ChangeFeed {
  /**
   * Changes of `store` (all stores when omitted) after their transaction committed: local and remote,
   * from this tab and (through the handle's BroadcastChannel) from the other tabs of this database.
   */
  changes$(store?: string): Observable<FeedChange>;
  /**
   * Runs `query` on subscribe and again after each change of one of `stores` that passes `relevant`
   * (default: every change of those stores), emitting each result. A change arriving while a query
   * runs makes that result obsolete: only the newer one is emitted. Cold, like `changes$`.
   */
  liveQuery<T>(
    stores: string | readonly string[],
    query: () => Promise<T>,
    relevant?: (change: FeedChange) => boolean,
  ): Observable<T>;
}

/**
 * Change feeds and live queries over a database handle's `changes$` (writes through the handle in
 * any tab, and changes the sync clients pulled). Creating the feed opens nothing.
 *
 * @example
 * const feed = changeFeed({ database: appDb });
 * feed.changes$('work_orders').subscribe((c) => console.log(c.type, c.id, c.origin));
 * feed.liveQuery('work_orders', () => appDb.getAll('work_orders')).subscribe(render);
 */
export function changeFeed(options: ChangeFeedOptions): ChangeFeed {
  const all$: Observable<FeedChange> = defer(() =>
    options.database.changes$.pipe(concatMap((change) => from(withValue(options.database, change)))),
  ).pipe(share());

  const changes$ = (store?: string) =>
    store === undefined ? all$ : all$.pipe(filter((change) => change.store === store));

  return {
    changes$,
    liveQuery(stores, query, relevant = () => true) {
      const names = new Set(typeof stores === 'string' ? [stores] : stores);
      return all$.pipe(
        filter((change) => names.has(change.store) && relevant(change)),
        startWith(undefined),
        switchMap(() => from(query())),
      );
    },
  };
}

/** Completes a put with its stored value. */
async function withValue(database: FeedDatabase, change: StoreChange): Promise<FeedChange> {
  const base: FeedChange = {
    store: change.store,
    type: change.type,
    id: change.key,
    origin: change.origin === 'remote' ? 'remote' : 'local',
  };
  if (change.type !== 'put') return base;
  try {
    const value = await database.read([change.store], (tx) => tx.objectStore(change.store).get(change.key));
    return value === undefined ? base : { ...base, value: value as RecordValue };
  } catch {
    // The store may be gone (another tab upgraded the schema): announce the change without its value.
    return base;
  }
}
