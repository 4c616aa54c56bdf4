import type { IDBPTransaction } from 'idb';
import { unwrap } from 'idb';
import { WriteRefusedError } from '../errors/write-refused-error.js';
import { OutboxWriter, type TrackedStore } from '../sync/write-local.js';
import type { DeclaredStore } from '../upversion/declare-schema.js';
import type { WrittenChange } from './database-changes.js';

type AnyTransaction = IDBPTransaction<unknown, string[], 'readwrite'>;
// idb's objects are proxies typed per schema; inside the wrappers they are handled untyped.
type Untyped = Record<PropertyKey, unknown> & object;

/** How one `write()` treats the stores it writes. */
export interface WriteScope {
  /** The app stores declared by the handle, by name. */
  readonly stores: Readonly<Record<string, DeclaredStore>>;
  /** The stores the app asked for (the transaction may hold the outbox stores too). */
  readonly requested: readonly string[];
  /** `{ localOnly: true }`: lookup stores may be written, locally only. */
  readonly localOnly: boolean;
  readonly revField: string;
}

/**
 * One attempt of a `write()` transaction as the app's callback sees it: `objectStore(name)` hands
 * out stores whose writes are synced (`transactional`), refused (`lookup` without `localOnly`) or
 * plain (`local`), and every write is remembered for `changes$`.
 */
export class WriteAttempt {
  readonly writer: OutboxWriter;
  readonly tx: AnyTransaction;
  readonly #idbTx: AnyTransaction;
  readonly #scope: WriteScope;
  readonly #wrapped = new Map<string, unknown>();

  constructor(idbTx: AnyTransaction, scope: WriteScope) {
    this.#idbTx = idbTx;
    this.#scope = scope;
    this.writer = new OutboxWriter(unwrap(idbTx) as IDBTransaction, scope.revField);
    const single = scope.requested.length === 1 ? scope.requested[0] : undefined;
    this.tx = new Proxy(idbTx as unknown as Untyped, {
      get: (target, prop) => {
        if (prop === 'objectStore') return (name: string) => this.#store(name);
        if (prop === 'store') return single === undefined ? undefined : this.#store(single);
        return bound(target, prop);
      },
    }) as unknown as AnyTransaction;
  }

  /** Everything written, in order. */
  get changes(): readonly WrittenChange[] {
    return this.writer.changes;
  }

  /** Prepares writes of these keys to one synced store (see {@link OutboxWriter.prepareMany}). */
  expectMany(name: string, keys: readonly unknown[]): void {
    const declared = this.#scope.stores[name];
    if (declared?.kind !== 'transactional') return;
    this.writer.prepareMany({ name, keyPath: declared.keyPath as string, keyType: declared.keyType }, keys);
  }

  #store(name: string): unknown {
    const cached = this.#wrapped.get(name);
    if (cached !== undefined) return cached;
    const idbStore = this.#idbTx.objectStore(name) as unknown as Untyped;
    const declared = this.#scope.stores[name];
    let store: unknown = idbStore;
    if (declared !== undefined) {
      if (declared.kind === 'transactional') store = this.#tracked(idbStore, declared);
      else if (declared.kind === 'lookup' && !this.#scope.localOnly) store = refusing(idbStore, name);
      else store = plain(idbStore, name, this.writer.changes);
    }
    this.#wrapped.set(name, store);
    return store;
  }

  /** A synced store: its writes go through the outbox writer; untrackable ones are refused. */
  #tracked(idbStore: Untyped, declared: DeclaredStore): unknown {
    const info: TrackedStore = {
      name: declared.name,
      keyPath: declared.keyPath as string,
      keyType: declared.keyType,
    };
    const writer = this.writer;
    const name = declared.name;
    const refuse = (operation: string, use: string) =>
      new WriteRefusedError(name, operation, 'untrackable', use);
    return new Proxy(idbStore, {
      get: (target, prop) => {
        switch (prop) {
          case 'put':
          case 'add':
            return (value: unknown, key?: unknown) => {
              if (key !== undefined) {
                throw refuse(
                  `${prop}(value, key)`,
                  `${prop}(value) with the key in the record's "${info.keyPath}" field`,
                );
              }
              return writer.put(info, value, prop);
            };
          case 'delete':
            return (query: unknown) =>
              isKeyRange(query) ? writer.deleteRange(info, query) : writer.delete(info, query);
          case 'clear':
            return () => {
              throw refuse('clear()', 'bulkDelete(store, keys) or delete(IDBKeyRange), each delete synced');
            };
          default:
            return cursorSource(target, prop, cursorRefusal(name, 'put(value) or delete(key) on the store'));
        }
      },
    });
  }
}

/** A lookup store written without `localOnly`: reads work, every write is refused. */
function refusing(idbStore: Untyped, name: string): unknown {
  const refuse = (operation: string) => () => {
    throw new WriteRefusedError(
      name,
      operation,
      'lookup-store',
      `the same call with { localOnly: true } for a deliberate local-only change (a pull may overwrite it)`,
    );
  };
  return new Proxy(idbStore, {
    get: (target, prop) => {
      switch (prop) {
        case 'put':
        case 'add':
        case 'delete':
        case 'clear':
          return refuse(`${String(prop)}()`);
        default:
          return cursorSource(target, prop, {
            update: refuse('cursor.update()'),
            delete: refuse('cursor.delete()'),
          });
      }
    },
  });
}

/** A store written as is (a `local` store, or a lookup store with `localOnly`): writes are remembered. */
function plain(idbStore: Untyped, name: string, changes: WrittenChange[]): unknown {
  const record = (type: 'put' | 'delete', key: IDBValidKey) => changes.push({ store: name, type, key });
  const call = (target: Untyped, method: string, ...args: unknown[]) =>
    (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
  return new Proxy(idbStore, {
    get: (target, prop) => {
      switch (prop) {
        case 'put':
        case 'add':
          return (value: unknown, key?: IDBValidKey) =>
            call(target, prop, value, key).then((written) => {
              record('put', written as IDBValidKey);
              return written;
            });
        case 'delete':
          return (query: IDBValidKey | IDBKeyRange) => {
            if (!isKeyRange(query)) {
              return call(target, 'delete', query).then(() => record('delete', query));
            }
            // Requests run in order: the keys are read before the delete removes them.
            const keys = call(target, 'getAllKeys', query);
            return call(target, 'delete', query).then(async () => {
              for (const key of (await keys) as IDBValidKey[]) record('delete', key);
            });
          };
        case 'clear':
          return () => {
            const keys = call(target, 'getAllKeys');
            return call(target, 'clear').then(async () => {
              for (const key of (await keys) as IDBValidKey[]) record('delete', key);
            });
          };
        default:
          return cursorSource(target, prop, {
            update: (cursor, value) =>
              call(cursor, 'update', value).then((key) => {
                record('put', key as IDBValidKey);
                return key;
              }),
            delete: (cursor) => {
              const key = cursor['primaryKey'] as IDBValidKey;
              return call(cursor, 'delete').then(() => record('delete', key));
            },
          });
      }
    },
  });
}

/** What a cursor's writes do on a wrapped store. */
interface CursorWrites {
  update(cursor: Untyped, value: unknown): unknown;
  delete(cursor: Untyped): unknown;
}

function cursorRefusal(name: string, use: string): CursorWrites {
  return {
    update: () => {
      throw new WriteRefusedError(name, 'cursor.update()', 'untrackable', use);
    },
    delete: () => {
      throw new WriteRefusedError(name, 'cursor.delete()', 'untrackable', use);
    },
  };
}

/**
 * A property of a store or an index: the members that yield cursors (`openCursor`, `iterate`, the
 * async iterator, `index`) hand out cursors whose `update`/`delete` go through `writes`; the rest
 * is the idb object's own, bound to it.
 */
function cursorSource(target: Untyped, prop: PropertyKey, writes: CursorWrites): unknown {
  switch (prop) {
    case 'openCursor':
      return (...args: unknown[]) =>
        (target['openCursor'] as (...a: unknown[]) => Promise<Untyped | null>)
          .apply(target, args)
          .then((cursor) => (cursor === null ? null : wrapCursor(cursor, writes)));
    case 'iterate':
      return (...args: unknown[]) =>
        wrapIteration(
          (target['iterate'] as (...a: unknown[]) => AsyncIterable<Untyped>).apply(target, args),
          writes,
        );
    case Symbol.asyncIterator:
      return () =>
        wrapIteration(
          {
            [Symbol.asyncIterator]: () =>
              (target[Symbol.asyncIterator] as () => AsyncIterator<Untyped>).call(target),
          },
          writes,
        )[Symbol.asyncIterator]();
    case 'index':
      return (name: string) => {
        const index = (target['index'] as (n: string) => Untyped).call(target, name);
        return new Proxy(index, { get: (t, p) => cursorSource(t, p, writes) });
      };
    default:
      return bound(target, prop);
  }
}

function wrapCursor(cursor: Untyped, writes: CursorWrites): Untyped {
  return new Proxy(cursor, {
    get: (target, prop) => {
      switch (prop) {
        case 'update':
          return (value: unknown) => writes.update(target, value);
        case 'delete':
          return () => writes.delete(target);
        case 'continue':
        case 'advance':
        case 'continuePrimaryKey':
          return (...args: unknown[]) =>
            (target[prop] as (...a: unknown[]) => Promise<Untyped | null>)
              .apply(target, args)
              .then((next) => (next === null ? null : wrapCursor(next, writes)));
        case Symbol.asyncIterator:
          return () =>
            wrapIteration(
              {
                [Symbol.asyncIterator]: () =>
                  (target[Symbol.asyncIterator] as () => AsyncIterator<Untyped>).call(target),
              },
              writes,
            )[Symbol.asyncIterator]();
        default:
          return bound(target, prop);
      }
    },
  });
}

function wrapIteration(source: AsyncIterable<Untyped>, writes: CursorWrites): AsyncIterable<Untyped> {
  return {
    [Symbol.asyncIterator]() {
      const inner = source[Symbol.asyncIterator]();
      return {
        next: async () => {
          const step = await inner.next();
          return step.done ? step : { done: false, value: wrapCursor(step.value, writes) };
        },
        return: async (value?: unknown) => (await inner.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
}

/** `target[prop]`, with methods bound to `target` (idb's proxies need their own `this`). */
function bound(target: Untyped, prop: PropertyKey): unknown {
  const value = Reflect.get(target, prop, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

/** True for an `IDBKeyRange` (of any IndexedDB implementation), false for a key. */
export function isKeyRange(query: unknown): query is IDBKeyRange {
  if (typeof IDBKeyRange !== 'undefined' && query instanceof IDBKeyRange) return true;
  return (
    typeof query === 'object' &&
    query !== null &&
    !Array.isArray(query) &&
    !(query instanceof Date) &&
    !ArrayBuffer.isView(query) &&
    'lowerOpen' in query &&
    'upperOpen' in query
  );
}
