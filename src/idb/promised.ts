import type { IDBPTransaction } from 'idb';

/**
 * Sees each write of a transaction before it is made — `put`, `add`, `delete` or `clear` of a store,
 * or `update` or `delete` of a cursor (`cursor` set) on that store — however the app reached the
 * store (`tx.objectStore`, `tx.store`, an index's `objectStore`, a store's `transaction`, a cursor's
 * `source`). Returns what the call returns to the app, and may throw to refuse the write;
 * `promise(request)` is a request as the app would have received it.
 */
export type WriteHook = (
  store: IDBObjectStore,
  method: string,
  args: unknown[],
  cursor: IDBCursor | undefined,
  promise: (request: IDBRequest) => Promise<unknown>,
) => unknown;

// The objects behind the wrappers are handled untyped here; the wrappers are typed by idb's types.
type Untyped = Record<PropertyKey, unknown>;

const WRITES: readonly PropertyKey[] = ['put', 'add', 'delete', 'clear', 'update'];
const ADVANCES: readonly PropertyKey[] = ['continue', 'advance', 'continuePrimaryKey'];
const raws = new WeakMap<object, IDBTransaction>();

/** The raw transaction behind a wrapper made by {@link promiseTransaction} (for the SDK's own requests in it). */
export function rawTransaction(tx: object): IDBTransaction {
  return raws.get(tx) as IDBTransaction;
}

/**
 * idb's promise style over a raw transaction, as the app's `read`/`write`/`live` callbacks get it
 * (typed by idb's `IDBPTransaction`, without idb's code): each request becomes a promise settled
 * from its own event (so a follow-up issued from it still finds the transaction active), stores,
 * indexes and cursors are wrapped the same way, `await cursor.continue()` gives the next position
 * (or `null`), stores, indexes and cursors iterate with `for await` (and `iterate(query, direction)`),
 * `tx.done` settles when the transaction ends and `tx.store` is the store of a one-store transaction
 * (`stores`: the stores the app asked for). `tx.db` is the raw connection, and not in the types.
 */
export function promiseTransaction<Mode extends IDBTransactionMode>(
  tx: IDBTransaction,
  stores: readonly string[],
  writes?: WriteHook,
): IDBPTransaction<unknown, string[], Mode> {
  const wrappers = new Map<object, object>();
  const done = new Promise<void>((resolve, reject) => {
    tx.addEventListener('complete', () => resolve());
    const failed = () => reject(tx.error ?? new DOMException('AbortError', 'AbortError'));
    tx.addEventListener('error', failed);
    tx.addEventListener('abort', failed);
  });
  done.catch(() => {}); // rejects for whoever awaits it, and is no unhandled rejection otherwise

  const promise = (request: IDBRequest): Promise<unknown> =>
    new Promise((resolve, reject) => {
      // Handlers, not listeners: a cursor's request fires once per position, each for its own promise.
      request.onsuccess = () => resolve(wrap(request.result));
      request.onerror = () => reject(request.error);
    });

  const wrap = (value: unknown): unknown => {
    if (value instanceof IDBRequest) return promise(value);
    if (
      !(
        value instanceof IDBObjectStore ||
        value instanceof IDBIndex ||
        value instanceof IDBCursor ||
        value instanceof IDBTransaction
      )
    ) {
      return value;
    }
    let wrapper = wrappers.get(value);
    if (wrapper === undefined) {
      wrapper = new Proxy(value, handler);
      wrappers.set(value, wrapper);
    }
    return wrapper;
  };

  const handler: ProxyHandler<object> = {
    get(target, prop) {
      if (target === tx) {
        if (prop === 'done') return done;
        if (prop === 'store') return stores.length === 1 ? wrap(tx.objectStore(stores[0]!)) : undefined;
      }
      const cursor = target instanceof IDBCursor ? target : undefined;
      if (
        (prop === Symbol.asyncIterator || (prop === 'iterate' && !cursor)) &&
        !(target instanceof IDBTransaction)
      ) {
        const self = wrap(target) as Untyped;
        return (...args: unknown[]) => iterate(self, cursor ? undefined : args);
      }
      const value = (target as Untyped)[prop];
      if (typeof value !== 'function') return wrap(value);
      // Only stores and cursors have methods of these names.
      if (writes !== undefined && WRITES.includes(prop)) {
        // A cursor's source is its store or an index of it.
        const source = (cursor?.source ?? target) as { objectStore?: IDBObjectStore };
        const store = (source.objectStore ?? source) as IDBObjectStore;
        return (...args: unknown[]) => writes(store, prop as string, args, cursor, promise);
      }
      if (cursor && ADVANCES.includes(prop)) {
        return (...args: unknown[]) => {
          value.apply(target, args);
          return promise(cursor.request);
        };
      }
      return (...args: unknown[]) => wrap(value.apply(target, args));
    },
    // Through the raw object: IDL setters (`tx.oncomplete = …`) refuse a proxy as `this`.
    set: (target, prop, value) => Reflect.set(target, prop, value),
  };

  const wrapped = wrap(tx) as IDBPTransaction<unknown, string[], Mode>;
  raws.set(wrapped, tx);
  return wrapped;
}

/**
 * `for await` over a store's or an index's cursor (`args`: those of `openCursor`) or over a cursor
 * (`args` undefined), with idb's semantics: yields the cursor at each position; a loop body that
 * calls `continue`/`advance`/`continuePrimaryKey` moves it there, else it moves to the next one.
 */
async function* iterate(source: Untyped, args: unknown[] | undefined): AsyncGenerator<Untyped> {
  type Move = (...a: unknown[]) => Promise<Untyped | null>;
  let cursor = args ? await (source['openCursor'] as Move)(...args) : source;
  if (!cursor) return;
  let moved: Promise<Untyped | null> | undefined;
  const position = new Proxy(cursor, {
    get: (target, prop) =>
      ADVANCES.includes(prop)
        ? (...a: unknown[]) => {
            moved = (target[prop] as Move)(...a);
          }
        : target[prop],
  });
  while (cursor) {
    yield position;
    cursor = await (moved ?? (cursor['continue'] as Move)());
    moved = undefined;
  }
}
