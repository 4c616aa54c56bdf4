import {
  concatMap,
  defer,
  EMPTY,
  filter,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  Observable as RxObservable,
  share,
  startWith,
  switchMap,
} from 'rxjs';
import type { RecordValue } from '../protocol/messages.js';
import type { SyncChange } from '../sync/sync-change.js';

/**
 * A record change as the feed delivers it. `value` is the stored record for puts (read from the
 * database for changes announced by another tab, so it may be newer than the change itself, and
 * absent if the record was deleted meanwhile); absent for deletes.
 */
export type FeedChange = SyncChange;

/** The database part the feed reads (a `defineDatabase` handle): its name and a read transaction. */
export interface FeedDatabase {
  readonly name: string;
  read<R>(stores: readonly string[], fn: (tx: FeedReadTransaction) => R | PromiseLike<R>): Promise<R>;
}

/** The part of an idb transaction the feed uses. */
export interface FeedReadTransaction {
  objectStore(name: string): { get(key: IDBValidKey): Promise<unknown> };
}

/** Options of {@link changeFeed}. */
export interface ChangeFeedOptions {
  /** The database handle; other tabs' changes of records are completed with their stored value from it. */
  readonly database: FeedDatabase;
  /** This tab's sync client (its `changes$`). Default: none (only other tabs' announcements are heard). */
  readonly client?: { readonly changes$: Observable<SyncChange> };
  /**
   * The BroadcastChannel constructor. Default `globalThis.BroadcastChannel`; `null` (or a runtime
   * without it) hears this tab only.
   */
  readonly BroadcastChannel?: typeof BroadcastChannel | null;
  /**
   * How long a change heard on one path waits for its twin on the other, in milliseconds: this tab's
   * client relays other tabs' announcements and announces its own, so the same change can arrive
   * both from the client and from the feed's channel; it is delivered once. Default `5_000`.
   */
  readonly dedupeWindowMs?: number;
  /** Clock for the dedupe window. Default `Date.now`. */
  readonly now?: () => number;
}

/** What {@link changeFeed} returns. */
export interface ChangeFeed {
  /**
   * Changes of `store` (all stores when omitted) after their transaction committed: local and remote,
   * from this tab and (over BroadcastChannel) from the other tabs of this database. Cold: the
   * channel is opened on subscribe and closed on unsubscribe.
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

interface ChannelMessage {
  readonly type?: unknown;
  readonly changes?: readonly SyncChange[];
}

/**
 * Change feeds and live queries over a database and its sync client. Creating the feed opens
 * nothing; each subscription opens its own BroadcastChannel (named like the sync client's,
 * `idb-sync:<database name>`) and closes it when unsubscribed.
 *
 * @example
 * const feed = changeFeed({ database: appDb, client });
 * feed.changes$('work_orders').subscribe((c) => console.log(c.type, c.id, c.origin));
 * feed.liveQuery('work_orders', () => appDb.getAll('work_orders')).subscribe(render);
 */
export function changeFeed(options: ChangeFeedOptions): ChangeFeed {
  const windowMs = options.dedupeWindowMs ?? 5_000;
  const now = options.now ?? Date.now;
  const Channel =
    options.BroadcastChannel === undefined
      ? (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel
      : options.BroadcastChannel;

  const all$: Observable<FeedChange> = defer(() => {
    // Changes seen on one path and not yet on the other, by key, with the time they were seen.
    const fromClient = new Ledger(windowMs, now);
    const fromChannel = new Ledger(windowMs, now);
    const client$ = (options.client?.changes$ ?? EMPTY).pipe(
      filter((change) => {
        if (fromChannel.take(change)) return false;
        fromClient.add(change);
        return true;
      }),
      // Another tab's announcement relayed by this tab's client has no value: read it.
      concatMap((change) =>
        change.type === 'put' && change.value === undefined
          ? from(withValues(options.database, [change]))
          : of([change]),
      ),
      mergeMap((changes) => from(changes)),
    );
    const channel$ =
      Channel == null
        ? EMPTY
        : listen(Channel, `idb-sync:${options.database.name}`).pipe(
            map((changes) =>
              changes.filter((change) => {
                if (fromClient.take(change)) return false;
                fromChannel.add(change);
                return true;
              }),
            ),
            filter((changes) => changes.length > 0),
            concatMap((changes) => from(withValues(options.database, changes))),
            mergeMap((changes) => from(changes)),
          );
    return merge(client$, channel$);
  }).pipe(share());

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

/** The `changes` messages of a channel, opened on subscribe and closed on unsubscribe. */
function listen(Channel: typeof BroadcastChannel, name: string): Observable<readonly SyncChange[]> {
  return new RxObservable<readonly SyncChange[]>((subscriber) => {
    const channel = new Channel(name);
    channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
      const data = event.data;
      if (data?.type === 'changes' && Array.isArray(data.changes)) subscriber.next(data.changes);
    };
    return () => {
      channel.onmessage = null;
      channel.close();
    };
  });
}

/** Completes announced puts with their stored values (one read transaction per announcement). */
async function withValues(database: FeedDatabase, changes: readonly SyncChange[]): Promise<FeedChange[]> {
  const puts = changes.filter((c) => c.type === 'put' && c.value === undefined);
  let values: unknown[] = [];
  if (puts.length > 0) {
    const stores = [...new Set(puts.map((c) => c.store))];
    try {
      values = await database.read(stores, (tx) =>
        Promise.all(puts.map((c) => tx.objectStore(c.store).get(c.id))),
      );
    } catch {
      // The store may be gone (another tab upgraded the schema): announce the changes without values.
    }
  }
  return changes.map((change): FeedChange => {
    const i = puts.indexOf(change);
    const value = i >= 0 ? (values[i] as RecordValue | undefined) : change.value;
    const { value: _announced, ...rest } = change;
    return value === undefined ? rest : { ...rest, value };
  });
}

/** Changes seen on one path, waiting (for at most `windowMs`) to be matched by their twin. */
class Ledger {
  readonly #seen = new Map<string, number[]>();
  constructor(
    readonly windowMs: number,
    readonly now: () => number,
  ) {}

  add(change: SyncChange): void {
    const key = keyOf(change);
    const times = this.#seen.get(key) ?? [];
    times.push(this.now());
    this.#seen.set(key, times);
  }

  /** Consumes a matching entry seen within the window; false when there is none. */
  take(change: SyncChange): boolean {
    this.#prune();
    const key = keyOf(change);
    const times = this.#seen.get(key);
    if (times === undefined) return false;
    times.shift();
    if (times.length === 0) this.#seen.delete(key);
    return true;
  }

  #prune(): void {
    const oldest = this.now() - this.windowMs;
    for (const [key, times] of this.#seen) {
      while (times.length > 0 && (times[0] ?? 0) < oldest) times.shift();
      if (times.length === 0) this.#seen.delete(key);
    }
  }
}

function keyOf(change: SyncChange): string {
  return JSON.stringify([change.store, change.type, change.id, change.origin]);
}
