import type { IDBPTransaction } from 'idb';
import { WriteRefusedError } from '../errors/write-refused-error.js';
import { promiseTransaction } from '../idb/promised.js';
import { OutboxWriter } from '../sync/write-local.js';
import type { DeclaredStore } from '../upversion/declare-schema.js';
import type { WrittenChange } from './database-changes.js';

type AnyTransaction = IDBPTransaction<unknown, string[], 'readwrite'>;
type Untyped = Record<string, (...args: unknown[]) => IDBRequest>;

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
 * One attempt of a `write()` transaction as the app's callback sees it: idb's promise style, where
 * every write (of a store or a cursor, however the store was reached) is synced (`transactional`),
 * refused (`lookup` without `localOnly`) or plain (`local`), and remembered for `changes$`.
 */
export class WriteAttempt {
  readonly writer: OutboxWriter;
  readonly tx: AnyTransaction;
  readonly #scope: WriteScope;

  constructor(tx: IDBTransaction, scope: WriteScope) {
    this.#scope = scope;
    this.writer = new OutboxWriter(tx, scope.revField);
    this.tx = promiseTransaction<'readwrite'>(tx, scope.requested, (store, method, args, cursor, promise) =>
      this.#write(store, method, args, cursor, promise),
    );
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

  /**
   * A write of the app: on a synced store through the outbox writer (what it cannot record is
   * refused), refused on a lookup store without `localOnly`, else made as asked and remembered.
   */
  #write(
    store: IDBObjectStore,
    method: string,
    args: unknown[],
    cursor: IDBCursor | undefined,
    promise: (request: IDBRequest) => Promise<unknown>,
  ): unknown {
    const { name } = store;
    const declared = this.#scope.stores[name];
    if (declared?.kind === 'transactional') {
      const [value, key] = args;
      const info = { name, keyPath: declared.keyPath as string, keyType: declared.keyType };
      if (cursor) throw untrackable(name, `cursor.${method}()`, 'put(value) or delete(key) on the store');
      if (method === 'clear')
        throw untrackable(
          name,
          'clear()',
          'bulkDelete(store, keys) or delete(IDBKeyRange), each delete synced',
        );
      if (method === 'delete')
        return isKeyRange(value) ? this.writer.deleteRange(info, value) : this.writer.delete(info, value);
      if (key !== undefined) {
        throw untrackable(
          name,
          `${method}(value, key)`,
          `${method}(value) with the key in the record's "${info.keyPath}" field`,
        );
      }
      return this.writer.put(info, value, method as 'put' | 'add');
    }
    if (declared?.kind === 'lookup' && !this.#scope.localOnly) {
      throw new WriteRefusedError(
        name,
        cursor ? `cursor.${method}()` : `${method}()`,
        'lookup-store',
        'the same call with { localOnly: true } for a deliberate local-only change (a pull may overwrite it)',
      );
    }
    // Requests run in order: the keys a range delete or a clear removes are read before it.
    const removed =
      !cursor && (method === 'clear' || (method === 'delete' && isKeyRange(args[0])))
        ? promise(store.getAllKeys(args[0] as IDBKeyRange | undefined))
        : undefined;
    const written = promise(((cursor ?? store) as unknown as Untyped)[method]!(...args));
    if (declared === undefined) return written; // the SDK's own stores: not announced
    const changes = this.writer.changes as WrittenChange[];
    const record = (type: 'put' | 'delete', key: unknown) =>
      changes.push({ store: name, type, key: key as IDBValidKey });
    if (removed) {
      return written.then(async () => {
        for (const key of (await removed) as IDBValidKey[]) record('delete', key);
      });
    }
    if (method === 'delete') {
      const key = cursor ? cursor.primaryKey : args[0];
      return written.then(() => {
        record('delete', key);
      });
    }
    return written.then((key) => {
      record('put', key);
      return key;
    });
  }
}

function untrackable(store: string, operation: string, use: string): WriteRefusedError {
  return new WriteRefusedError(store, operation, 'untrackable', use);
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
